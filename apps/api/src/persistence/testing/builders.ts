import type { MultitaskStrategy, Run, Thread } from '@runhook/contracts';
import { randomUUID } from 'node:crypto';
import type { CreateRunCommand, RunResult } from '../../runs/run-record';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** The ISO time `ms` milliseconds after T0. */
export function at(ms: number): string {
  return new Date(T0 + ms).toISOString();
}

export function makeThread(overrides: Partial<Thread> = {}): Thread {
  return {
    thread_id: randomUUID(),
    created_at: at(0),
    updated_at: at(0),
    state_updated_at: at(0),
    metadata: {},
    status: 'idle',
    config: {},
    values: null,
    interrupts: {},
    ...overrides,
  };
}

export function makeRun(threadId: string, overrides: Partial<Run> = {}): Run {
  const createdAt = overrides.created_at ?? at(1_000);
  return {
    run_id: randomUUID(),
    thread_id: threadId,
    assistant_id: randomUUID(),
    created_at: createdAt,
    updated_at: createdAt,
    status: 'pending',
    metadata: {},
    multitask_strategy: 'enqueue',
    kwargs: {
      input: { messages: [{ role: 'human', content: 'hi' }] },
      config: { configurable: { thread_id: threadId } },
      stream_mode: ['values'],
      temporary: false,
      subgraphs: false,
      resumable: false,
    },
    ...overrides,
  };
}

export function createCommand(run: Run, options: { strategy?: MultitaskStrategy; threadToCreate?: Thread | null } = {}): CreateRunCommand {
  return {
    run,
    threadToCreate: options.threadToCreate ?? null,
    threadMetadata: { graph_id: 'agent', assistant_id: run.assistant_id },
    multitaskStrategy: options.strategy ?? run.multitask_strategy,
    now: run.created_at,
  };
}

export function successResult(endedAt: string, values: Record<string, unknown> = { messages: ['done'] }): RunResult {
  return {
    status: 'success',
    error: null,
    finalValues: values,
    endedAt,
    discard: false,
    thread: { status: 'idle', values, interrupts: {}, error: null },
  };
}
