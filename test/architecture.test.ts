/**
 * The house rules of docs/architecture.md, checked on every test run: no import cycles between
 * files or between folders, dependencies point inward, pure folders stay pure, and no source file
 * grows past ~400 lines without saying why at its top. Imports are read with TypeScript's own
 * pre-processor (the compiler's import scanner), so comments and strings never count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect } from 'chai';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Graph = Map<string, { relative: string[]; packages: string[] }>;

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .flatMap((e) =>
      e.isFile() && e.name.endsWith('.ts') ? [path.relative(ROOT, path.join(e.parentPath, e.name))] : [],
    );
}

function importGraph(dirs: string[]): Graph {
  const graph: Graph = new Map();
  for (const file of dirs.flatMap(sourceFiles)) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    const relative: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.'))
        relative.push(path.relative(ROOT, path.resolve(ROOT, path.dirname(file), fileName)));
      else packages.push(fileName);
    }
    graph.set(file, { relative, packages });
  }
  return graph;
}

/** Strongly connected components with more than one node (or a self-loop): Tarjan's algorithm. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** `src/recordings/poller.ts` → `recordings`; files directly in `src/` are the composition root. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length > 2 ? parts[1]! : '(root)';
}

const graph = importGraph(['src', 'jobs']);

describe('architecture', () => {
  it('has no import cycle between files', () => {
    const edges = new Map([...graph].map(([f, { relative }]) => [f, new Set(relative)]));
    expect(cycles(edges)).to.deep.equal([]);
  });

  it('has no import cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, { relative }] of graph) {
      const from = folderOf(file);
      for (const target of relative) {
        const to = folderOf(target);
        if (to !== from) {
          if (!edges.has(from)) edges.set(from, new Set());
          edges.get(from)!.add(to);
        }
      }
    }
    expect(cycles(edges)).to.deep.equal([]);
  });

  it('keeps capabilities off the HTTP layer, the CLI, the jobs and the store adapters', () => {
    const capabilities = [
      'catalogue',
      'schedules',
      'search',
      'recordings',
      'mentions',
      'posts',
      'webmention',
      'notify',
      'embed',
      'text',
    ];
    const adapters = /^src\/store\/(?!store\.ts$|errors\.ts$)/;
    const offenders: string[] = [];
    for (const [file, { relative, packages }] of graph) {
      if (!capabilities.includes(folderOf(file))) continue;
      for (const target of relative) {
        const to = folderOf(target);
        if (to === 'http' || to === 'cli' || to === 'jobs' || to === '(root)' || adapters.test(target))
          offenders.push(`${file} → ${target}`);
      }
      for (const pkg of packages)
        if (/^(koa|@koa\/|lowdb|pg$|node-cron$)/.test(pkg)) offenders.push(`${file} → ${pkg}`);
    }
    expect(offenders).to.deep.equal([]);
  });

  it('keeps pure text logic free of I/O and frameworks', () => {
    const offenders = [...graph]
      .filter(([file]) => folderOf(file) === 'text')
      .flatMap(([file, { relative, packages }]) => [
        ...relative.filter((t) => folderOf(t) !== 'text').map((t) => `${file} → ${t}`),
        ...packages
          .filter((p) => !/^(htmlparser2|domhandler|entities|fastest-levenshtein)$/.test(p))
          .map((p) => `${file} → ${p}`),
      ]);
    expect(offenders).to.deep.equal([]);
  });

  it('has no source file over 400 lines without a reason at its top', () => {
    const long = [...graph.keys()]
      .map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }))
      .filter(({ text }) => text.split('\n').length > 400 && !/^\/\*\*[\s\S]{0,1500}?Why this file is long:/.test(text))
      .map(({ file, text }) => `${file} (${text.split('\n').length} lines)`);
    expect(long).to.deep.equal([]);
  });
});
