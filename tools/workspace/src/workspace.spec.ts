/**
 * The workspace as nx sees it, held against what the projects declare: `nx affected -t test`
 * selects exactly the projects a change reaches, the graph keeps its one-way layers, and the
 * build and typecheck targets are the ones @nx/js/typescript infers from the TypeScript project
 * references (a hand-written target says why in its project.json).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { DeclaredProject } from './declared-graph';
import { affectedBy, ownerOf, readDeclaredGraph } from './declared-graph';
import type { NxGraph, NxTarget } from './nx-cli';
import { runNx } from './nx-cli';

const WORKSPACE_ROOT = resolve(__dirname, '../../..');

interface Layers {
  imports: Record<string, string[]>;
  runs: Record<string, string[] | string>;
}

const layers = JSON.parse(
  readFileSync(join(WORKSPACE_ROOT, 'tools/workspace/layers.json'), 'utf8'),
) as Layers;

let declared: DeclaredProject[];
let graph: NxGraph;

beforeAll(() => {
  declared = readDeclaredGraph(WORKSPACE_ROOT);
  const folder = mkdtempSync(join(tmpdir(), 'ecslog-graph-'));
  try {
    runNx(WORKSPACE_ROOT, ['graph', `--file=${join(folder, 'graph.json')}`]);
    graph = (JSON.parse(readFileSync(join(folder, 'graph.json'), 'utf8')) as { graph: NxGraph })
      .graph;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

const workspaceEdges = () =>
  Object.values(graph.dependencies)
    .flat()
    .filter((edge) => graph.nodes[edge.target] !== undefined);

describe('nx affected -t test', () => {
  // A domain lib near the bottom, the core everything uses, an adapter, and a leaf app.
  it.each([
    'libs/incidents/src/index.ts',
    'libs/ecs-event-mapper/src/map-event.ts',
    'libs/store-connection/src/local-store.ts',
    'apps/ingest/src/config.ts',
  ])('a change to %s selects exactly its project and those that use it', (file) => {
    const selected = JSON.parse(
      runNx(WORKSPACE_ROOT, [
        'show',
        'projects',
        '--affected',
        `--files=${file}`,
        '-t',
        'test',
        '--json',
      ]),
    ) as string[];
    expect(selected.sort()).toEqual(affectedBy(declared, ownerOf(declared, file).name));
  });

  it('a change to a leaf app selects it and what deploys it, nothing else', () => {
    expect(affectedBy(declared, 'ingest')).toEqual(['infra', 'ingest']);
  });
});

describe('the project graph', () => {
  it('has every dependency a project declares, and no other', () => {
    for (const project of declared) {
      const drawn = (graph.dependencies[project.name] ?? [])
        .map((edge) => edge.target)
        .filter((target) => graph.nodes[target] !== undefined);
      expect({ project: project.name, dependencies: [...new Set(drawn)].sort() }).toEqual({
        project: project.name,
        dependencies: project.dependencies,
      });
    }
  });

  it('imports only downwards: each edge from code is allowed by the layers', () => {
    const problems = workspaceEdges()
      .filter((edge) => edge.type !== 'implicit')
      .flatMap((edge) => {
        const sourceTags = graph.nodes[edge.source]?.data.tags ?? [];
        const targetTags = graph.nodes[edge.target]?.data.tags ?? [];
        const allowed = sourceTags.flatMap((tag) => layers.imports[tag] ?? []);
        return targetTags.some((tag) => allowed.includes(tag))
          ? []
          : [`${edge.source} (${sourceTags}) imports ${edge.target} (${targetTags})`];
      });
    expect(problems).toEqual([]);
  });

  it('runs only built programs through implicit dependencies, as the layers allow', () => {
    const problems = workspaceEdges()
      .filter((edge) => edge.type === 'implicit')
      .flatMap((edge) => {
        const sourceTags = graph.nodes[edge.source]?.data.tags ?? [];
        const targetTags = graph.nodes[edge.target]?.data.tags ?? [];
        const allowed = sourceTags.flatMap((tag) => {
          const runs = layers.runs[tag];
          return Array.isArray(runs) ? runs : [];
        });
        return targetTags.some((tag) => allowed.includes(tag))
          ? []
          : [`${edge.source} (${sourceTags}) runs ${edge.target} (${targetTags})`];
      });
    expect(problems).toEqual([]);
  });

  it('has no cycle', () => {
    const edges = workspaceEdges();
    const remaining = new Set(Object.keys(graph.nodes));
    // Peel off projects that depend on nothing remaining; a cycle is what cannot be peeled.
    for (let peeled = true; peeled;) {
      peeled = false;
      for (const name of remaining) {
        const waiting = edges.some((edge) => edge.source === name && remaining.has(edge.target));
        if (!waiting) {
          remaining.delete(name);
          peeled = true;
        }
      }
    }
    expect([...remaining]).toEqual([]);
  });
});

describe('targets', () => {
  const targetsOf = (name: string) => graph.nodes[name]?.data.targets ?? {};
  const commandOf = (target: { command?: string; options?: { command?: string } } | undefined) =>
    target?.command ?? target?.options?.command;

  it('gives every project the typecheck @nx/js/typescript infers from its project references', () => {
    for (const project of declared) {
      expect({
        project: project.name,
        typecheck: commandOf(targetsOf(project.name)['typecheck']),
      }).toEqual({
        project: project.name,
        typecheck: 'tsc --build tsconfig.json --emitDeclarationOnly',
      });
    }
  });

  it('builds the libs, the CLI, the backfill and infra with tsc from their runtime tsconfig', () => {
    for (const project of declared) {
      const runtimeConfig =
        project.root.startsWith('libs/') || project.name === 'simulator'
          ? 'tsconfig.lib.json'
          : 'tsconfig.app.json';
      const emitsJavaScript =
        runtimeConfig === 'tsconfig.lib.json' ||
        ['cli', 'backfill', 'infra'].includes(project.name);
      if (!emitsJavaScript) continue;
      expect({ project: project.name, build: commandOf(targetsOf(project.name)['build']) }).toEqual(
        {
          project: project.name,
          build: `tsc --build ${runtimeConfig}`,
        },
      );
    }
  });

  it('says why each target that @nx/js/typescript does not infer is hand-written', () => {
    // The plugin's own: build and typecheck (technology typescript), build-deps and watch-deps.
    const byPlugin = (name: string, target: NxTarget) =>
      (target.metadata?.technologies ?? []).includes('typescript') ||
      name === 'build-deps' ||
      name === 'watch-deps';
    const unexplained = Object.entries(graph.nodes).flatMap(([project, node]) =>
      Object.entries(node.data.targets ?? {})
        .filter(([name, target]) => !byPlugin(name, target))
        .filter(([, target]) => !(target.metadata?.description ?? '').startsWith('Hand-written'))
        .map(([name]) => `${project}:${name}`),
    );
    expect(unexplained).toEqual([]);
  });
});
