// Run by graph-registry.int-spec.ts in its own Node process (through tsx), because jest's module system cannot
// do what the registry does: real ES module imports of a project's graphs from the project's node_modules.
import 'reflect-metadata';
import { MemorySaver } from '@langchain/langgraph';
import { loadAppConfig } from '../../config/app-config';
import { GraphRegistry } from '../graph-registry.service';

async function main(): Promise<void> {
  const [configPath, inputsJson] = process.argv.slice(2);
  const config = loadAppConfig({ ...process.env, RUNHOOK_CONFIG: configPath }, process.cwd());
  // Runhook's own copy of @langchain/langgraph provides the checkpointer; the graphs use the project's copy.
  const registry = new GraphRegistry(config, new MemorySaver());
  try {
    await registry.loadAll();
  } catch (error) {
    process.stdout.write(`LOAD-ERROR ${JSON.stringify((error as Error).message)}\n`);
    return;
  }
  const results: Record<string, unknown> = {};
  for (const [graphId, input] of Object.entries(JSON.parse(inputsJson ?? '{}') as Record<string, unknown>)) {
    const defaults = registry.defaultsFor(graphId);
    const runConfig = { ...defaults.config, configurable: { ...(defaults.config['configurable'] as object), thread_id: `thread-${graphId}` } };
    const graph = await registry.get(graphId, runConfig);
    await graph.invoke(input, { ...runConfig, context: defaults.context });
    const second = await graph.invoke(input, { ...runConfig, context: defaults.context });
    const saved = await graph.getState(runConfig);
    results[graphId] = { second: JSON.parse(JSON.stringify(second)), saved: JSON.parse(JSON.stringify(saved.values)) };
  }
  // Which runWithConfig the project's @langchain/core (as each graph imports it) has: LangChain's or Runhook's lean one.
  const runWithConfig: Record<string, unknown> = {};
  for (const graphId of registry.graphIds()) {
    const singletons = await registry.importBesideGraph(graphId, '@langchain/core/singletons');
    runWithConfig[graphId] = (singletons?.['AsyncLocalStorageProviderSingleton'] as { runWithConfig?: { name?: string } } | undefined)?.runWithConfig?.name;
  }
  process.stdout.write(`RESULTS ${JSON.stringify({ results, greeting: process.env['FIXTURE_GREETING'] ?? null, runWithConfig })}\n`);
}

void main();
