import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary project whose `langgraph.json` declares the graph `sleeper` (testing/sleeping-graph.cjs), for tests
 * that start the app inside jest. Answers the path of its `langgraph.json`.
 */
export function writeSleepingProject(): string {
  const project = mkdtempSync(join(tmpdir(), 'runhook-sleeping-project-'));
  const graph = join(__dirname, 'sleeping-graph.cjs');
  const config = join(project, 'langgraph.json');
  writeFileSync(config, JSON.stringify({ graphs: { sleeper: `${graph}:graph` }, webhooks: { url: { disable_loopback: false } } }));
  return config;
}
