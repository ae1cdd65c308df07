// The layers below the service declare what they use (CommandDeps, RecommendDeps, IngestDeps,
// SearchDeps, LlmDeps) and never reach up into src/service/: the App is assembled there from them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
const SERVICE = join(repo, 'src/service');
const BELOW_SERVICE = ['commands', 'recommend', 'pipeline', 'llm', 'search', 'store', 'index', 'corpus', 'library', 'digests', 'papers', 'sources', 'config'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The files under `dir` this file imports (static, type-only, re-exports and dynamic import()), as repo paths. */
function importsInto(file: string, dir: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .filter((f) => f.fileName.startsWith('.'))
    .map((f) => resolve(dirname(file), f.fileName))
    .filter((target) => target === dir || target.startsWith(`${dir}/`))
    .map((target) => relative(repo, target));
}

function upwardImports(folders: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    tsFiles(join(repo, 'src', folder)).flatMap((file) => importsInto(file, SERVICE).map((target) => `${relative(repo, file)} imports ${target}`)),
  );
}

/** The repo files this file loads when it is evaluated: its value imports and re-exports (not type-only ones, not import()). */
function loadedWith(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements
    .flatMap((s) => {
      if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly) return [s.moduleSpecifier];
      if (ts.isExportDeclaration(s) && s.moduleSpecifier && !s.isTypeOnly) return [s.moduleSpecifier];
      return [];
    })
    .map((m) => (m as ts.StringLiteral).text)
    .filter((t) => t.startsWith('.'))
    .map((t) => resolve(dirname(file), t))
    .filter((t) => existsSync(t));
}

/** The chain of loads from `file` to `target`, or undefined when evaluating `file` never loads it. */
function loadChain(file: string, target: string): string[] | undefined {
  const from = new Map<string, string | undefined>([[file, undefined]]);
  const queue = [file];
  while (queue.length) {
    const f = queue.shift()!;
    for (const next of loadedWith(f)) {
      if (from.has(next)) continue;
      from.set(next, f);
      if (next === target) {
        const chain = [target];
        for (let at = f; at !== undefined; at = from.get(at)!) chain.unshift(at);
        return chain.map((c) => relative(repo, c));
      }
      queue.push(next);
    }
  }
  return undefined;
}

describe('layering', () => {
  it('no command definition loads the registry, which awaits the definitions while it loads (they would wait for each other forever)', () => {
    const registry = join(repo, 'src/commands/registry.ts');
    const chains = tsFiles(join(repo, 'src/commands/definitions')).flatMap((f) => loadChain(f, registry)?.join(' → ') ?? []);
    expect(chains).toEqual([]);
    // It follows loads through other modules (the CLI's chat reaches the registry through the command core);
    // actions.ts, loaded by definitions through text.ts, takes its error guard from guard.ts, not execute.ts.
    expect(loadChain(join(repo, 'src/commands/actions.ts'), registry)).toBeUndefined();
    expect(loadChain(join(repo, 'src/commands/index.ts'), registry)).toEqual(['src/commands/index.ts', 'src/commands/registry.ts']);
    expect(loadChain(join(repo, 'src/cli/commands/chat.ts'), registry)?.at(-1)).toBe('src/commands/registry.ts');
  });

  it('no module below the service layer imports src/service/', () => {
    expect(upwardImports(BELOW_SERVICE)).toEqual([]);
  });

  it('the check sees every form of import (the CLI, above the service, is caught importing it)', () => {
    const found = upwardImports(['cli']);
    expect(found).toContain('src/cli/context.ts imports src/service/app.ts');
    // A type-only import, a re-export and a dynamic import count as much as a value import.
    const probe = join(repo, 'src/commands/probe.ts');
    const text = [
      "import type { App } from '../service/app.ts';",
      "export { openApp } from '../service/open-app.ts';",
      "const m = await import('../service/forget.ts');",
    ].join('\n');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    expect(importedFiles.map((f) => relative(repo, resolve(dirname(probe), f.fileName)))).toEqual([
      'src/service/app.ts',
      'src/service/open-app.ts',
      'src/service/forget.ts',
    ]);
  });

  it('embeddings/ is a leaf: providers only, importing nothing of the service but small utilities', () => {
    // The vector maths, the worker start-up, the event loop's time slices and the logger's type:
    // none of them imports the service back.
    const UTILITIES = ['src/vector-math.ts', 'src/ts-worker.ts', 'src/loop-slices.ts', 'src/log.ts'];
    const EMBEDDINGS = join(repo, 'embeddings');
    const outside = tsFiles(EMBEDDINGS).flatMap((file) =>
      importsInto(file, repo)
        .filter((target) => !target.startsWith('embeddings/') && !UTILITIES.includes(target))
        .map((target) => `${relative(repo, file)} imports ${target}`),
    );
    expect(outside).toEqual([]);
    // The logger module loads pino: only its type may be imported.
    const valueImports = tsFiles(EMBEDDINGS).filter((file) => /^import (?!type )[^;]*'\.\.\/src\/log\.ts'/m.test(readFileSync(file, 'utf8')));
    expect(valueImports.map((f) => relative(repo, f))).toEqual([]);
  });
});

