import { UnprocessableEntityException } from '@nestjs/common';

export const THREAD_STREAM_MODES = ['run_modes', 'lifecycle', 'state_update'] as const;
export type ThreadStreamMode = (typeof THREAD_STREAM_MODES)[number];

/**
 * The modes of `GET /threads/{id}/stream`: the SDK sends `stream_mode` (repeated), the Platform
 * documents `stream_modes` (a comma list). Either works; none means `run_modes`.
 */
export function parseThreadStreamModes(...values: (string | string[] | undefined)[]): Set<ThreadStreamMode> {
  const modes = values
    .flatMap((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  for (const mode of modes) {
    if (!THREAD_STREAM_MODES.includes(mode as ThreadStreamMode)) {
      throw new UnprocessableEntityException({ detail: `stream_mode must be among ${THREAD_STREAM_MODES.join(', ')}, got "${mode}"` });
    }
  }
  return new Set(modes.length > 0 ? (modes as ThreadStreamMode[]) : ['run_modes']);
}

/** Where a thread stream resumes: a run and the last of its events the client saw (`done`: all of them). */
export interface ThreadStreamCursor {
  runId: string;
  afterSeq: number | 'done';
}

/** Ids of a thread stream are `<run_id>:<seq>`, or `<run_id>:done` for the run's end. */
export function threadEventId(runId: string, seq: number | 'done'): string {
  return `${runId}:${seq}`;
}

export function parseThreadCursor(lastEventId: string | undefined): ThreadStreamCursor | null {
  const match = /^([0-9a-f-]{36}):(\d+|done)$/i.exec(lastEventId ?? '');
  if (!match) return null;
  return { runId: match[1].toLowerCase(), afterSeq: match[2] === 'done' ? 'done' : Number(match[2]) };
}

/** Which of a run's events a mode passes: all of them, or only the run's start (its `metadata`). */
export function passesRunEvent(modes: Set<ThreadStreamMode>, event: string): boolean {
  return modes.has('run_modes') || (modes.has('lifecycle') && event === 'metadata');
}
