import type { RecordedRequest, RecordingReceiver } from '@runhook/testing';
import { waitFor } from '@runhook/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A langgraph.json with the demo graph and the given webhooks section, in a temporary folder. */
export function langgraphConfigWith(webhooks: Record<string, unknown>, repoRoot: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'runhook-langgraph-'));
  const path = join(folder, 'langgraph.json');
  writeFileSync(path, JSON.stringify({ graphs: { agent: join(repoRoot, 'apps/api/src/demo-graph/agent.graph.ts:graph') }, webhooks }));
  return path;
}

interface Payload {
  run_id: string;
  status: string;
  [key: string]: unknown;
}

export function payloadOf(request: RecordedRequest): Payload {
  return request.json as Payload;
}

/** Every request the receiver got for a run, once at least `count` have arrived. */
export function requestsForRun(receiver: RecordingReceiver, runId: string, count = 1, timeoutMs = 15_000): Promise<RecordedRequest[]> {
  return waitFor(
    () => {
      const matching = receiver.requests.filter((request) => payloadOf(request)?.run_id === runId);
      return matching.length >= count ? matching : undefined;
    },
    { timeoutMs, message: `expected ${count} delivery(ies) of run ${runId}` },
  );
}

interface LoggedDelivery {
  delivery_id: string;
  status: string;
  attempts: number;
  webhook_id: string;
  cron_id: string | null;
  url: string;
}

const FINISHED = ['succeeded', 'failed', 'gone', 'refused'];

/**
 * The requests the receiver got for a run, once the run's delivery has finished (so no attempt is still on its
 * way), checked to be exactly `count`: a test fails on a duplicate as it does on a loss.
 */
export async function deliveredExactly(receiver: RecordingReceiver, apiUrl: string, runId: string, count = 1, timeoutMs = 15_000): Promise<RecordedRequest[]> {
  await waitFor(async () => FINISHED.includes((await deliveryOf(apiUrl, runId))?.status ?? ''), {
    timeoutMs,
    message: `the delivery of run ${runId} did not finish`,
  });
  const matching = receiver.requests.filter((request) => payloadOf(request)?.run_id === runId);
  expect(matching).toHaveLength(count);
  return matching;
}

export async function deliveryOf(apiUrl: string, runId: string): Promise<LoggedDelivery> {
  const response = await fetch(`${apiUrl}/webhooks/deliveries?run_id=${runId}`);
  const [delivery] = (await response.json()) as LoggedDelivery[];
  return delivery;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
