// The layers below the service declare what they use (CommandDeps, RecommendDeps, IngestDeps,
// SearchDeps, LlmDeps) and never reach up into src/service/: the App is assembled there from them.
import { readdirSync, readFileSync } from 'node:fs';
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

describe('layering', () => {
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
    // The vector maths, the worker start-up and the logger's type: none of them imports the service back.
    const UTILITIES = ['src/vector-math.ts', 'src/ts-worker.ts', 'src/log.ts'];
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

