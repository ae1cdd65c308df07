// Text on a terminal: control characters shown, never obeyed (issue 14, item 4).
import { describe, expect, it } from 'vitest';
import { stripControls } from '../src/papers/clean-text.ts';
import { terminalJson, terminalSafe } from '../src/terminal-text.ts';

describe('terminalSafe', () => {
  it('shows C0 controls as control pictures, C1 and bidi controls as code points; keeps \\n and \\t', () => {
    expect(terminalSafe('a\u001b[2Jb\u0007c\u0000d\re\u007f')).toBe('a␛[2Jb␇c␀d␍e␡');
    expect(terminalSafe('x\u009b31my \u202Eevil\u202C z\u200Bw')).toBe('x<U+009B>31my <U+202E>evil<U+202C> z<U+200B>w');
    expect(terminalSafe('line one\n\tline two')).toBe('line one\n\tline two');
    expect(terminalSafe('नमस्ते 👩\u200D🔬 Ünïcödé')).toBe('नमस्ते 👩\u200D🔬 Ünïcödé');
  });
});

describe('terminalJson', () => {
  it('escapes what JSON.stringify leaves raw (C1, bidi, line separators) and stays the same JSON', () => {
    const value = { title: 'a\u009b31m \u202Eevil \u2028 \u001b[0m', n: 1 };
    const out = terminalJson(value);
    expect(out).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u202E]/);
    expect(out).toContain('\\u009b');
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe('stripControls', () => {
  it('drops whole escape sequences, but an unterminated one loses only its introducer', () => {
    expect(stripControls('a\u001b]8;;https://x\u0007link\u001b]8;;\u001b\\ b')).toBe('alink b');
    expect(stripControls('keep \u001b]this text')).toBe('keep this text');
    expect(stripControls('\u001b[38;5;196mred\u001b[m \u001bc reset')).toBe('red  reset');
  });
});
