import { ensureProjectInstalled, REPO_ROOT } from '@runhook/testing';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROJECT = join(REPO_ROOT, 'apps/api/test/fixtures/project');
const SCRIPT = join(__dirname, 'testing', 'load-project-graphs.ts');

function loadInChild(configPath: string, inputs: Record<string, unknown> = {}, extraEnv: Record<string, string> = {}): { line: string; output: string } {
  // Unset, so that the project's env supplies them (a variable set in the real environment, even empty, wins).
  const { FIXTURE_GREETING: _greeting, LANGGRAPH_CONFIG: _defaults, RUNHOOK_LEAN_RUNNABLE_CONTEXT: _lean, ...env } = { ...process.env, ...extraEnv };
  const child = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, configPath, JSON.stringify(inputs)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // tsx reads the repo's path aliases (@runhook/*) from the base tsconfig.
    env: { ...env, ...extraEnv, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.base.json') },
    timeout: 120_000,
  });
  const output = `${child.stdout}${child.stderr}`;
  const line = child.stdout.split('\n').find((text) => text.startsWith('RESULTS ') || text.startsWith('LOAD-ERROR ')) ?? '';
  return { line, output };
}

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-graphs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, 'langgraph.json');
}

describe('GraphRegistry with a project of its own', () => {
  beforeAll(() => ensureProjectInstalled(PROJECT), 300_000);

  it('loads .mts, .ts, .js and .mjs graphs from the project node_modules; Runhook\'s checkpointer keeps their state', () => {
    const { line, output } = loadInChild(join(PROJECT, 'langgraph.json'), {
      promise_graph: { messages: [{ role: 'human', content: 'hi' }] },
      zod_graph: { messages: 'hello' },
      annotation_graph: { messages: [{ role: 'human', content: 'ping' }] },
      runtime_graph: {},
      logging_graph: {},
    });
    expect(line).toMatch(/^RESULTS /);
    const { results, greeting } = JSON.parse(line.slice('RESULTS '.length)) as { results: Record<string, { second: Record<string, unknown>; saved: Record<string, unknown> }>; greeting: string };
    // Two invocations on one thread: the second sees the first's checkpoint.
    expect(results['promise_graph']?.saved).toMatchObject({ count: 2 });
    expect(results['zod_graph']?.second).toMatchObject({ messages: ['hello', 'message 1', 'hello', 'message 2'], count: 2 });
    expect((results['annotation_graph']?.saved['messages'] as unknown[]).length).toBe(4);
    expect(results['runtime_graph']?.second).toEqual({ model: 'fixture-context', factoryModel: 'factory-model' });
    expect(results['logging_graph']?.second).toEqual({ greeting: 'hello from langgraph.json', model: 'fixture-model' });
    // The project's env reached process.env before the graphs were imported (the real env was empty here).
    expect(greeting).toBe('hello from langgraph.json');
    expect(output).toMatch(/\[graph:logging_graph\].*fixture logging graph imported/);
    // Each graph's copy of @langchain/core (ES module and CommonJS builds alike) got the lean runnable context, and
    // the graphs above ran on it.
    const { runWithConfig } = JSON.parse(line.slice('RESULTS '.length)) as { runWithConfig: Record<string, string> };
    expect(Object.keys(runWithConfig)).toHaveLength(6);
    for (const name of Object.values(runWithConfig)) expect(name).toBe('leanRunWithConfig');
  }, 150_000);

  it("leaves the project's @langchain/core as it is with RUNHOOK_LEAN_RUNNABLE_CONTEXT=false", () => {
    const { line, output } = loadInChild(join(PROJECT, 'langgraph.json'), { promise_graph: { messages: [{ role: 'human', content: 'hi' }] } }, { RUNHOOK_LEAN_RUNNABLE_CONTEXT: 'false' });
    expect(line).toMatch(/^RESULTS /);
    const { results, runWithConfig } = JSON.parse(line.slice('RESULTS '.length)) as { results: Record<string, { saved: Record<string, unknown> }>; runWithConfig: Record<string, string> };
    expect(results['promise_graph']?.saved).toMatchObject({ count: 2 });
    for (const name of Object.values(runWithConfig)) expect(name).toBe('runWithConfig');
    expect(output).not.toMatch(/runnable context Runhook does not know/);
  }, 150_000);

  it.each([
    ['a module that throws', 'throw new Error("boom at import");', /graph "g" \(.*graph\.mjs:graph\) failed to load: boom at import/],
    ['a missing export', 'export const other = 1;', /graph "g" \(.*graph\.mjs:graph\): the module has no export "graph"/],
    ['an export that is no graph', 'export const graph = Promise.resolve({ nothing: true });', /graph "g" \(.*graph\.mjs:graph\) is neither a compiled graph/],
  ])('stops the start on %s, naming the graph, its file and the error', (_case, source, message) => {
    const config = tempProject({ 'langgraph.json': JSON.stringify({ graphs: { g: './graph.mjs:graph' } }), 'graph.mjs': source });
    const { line, output } = loadInChild(config);
    expect(line).toMatch(/^LOAD-ERROR /);
    expect(JSON.parse(line.slice('LOAD-ERROR '.length))).toMatch(message);
    expect(output).not.toMatch(/RESULTS/);
  }, 60_000);
});
