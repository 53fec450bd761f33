import type { StreamMode } from '@runhook/contracts';

/** LangGraph.js's own stream modes; `messages-tuple` is its `messages`, the rest are server-made. */
const LIBRARY_MODES = new Set(['values', 'updates', 'debug', 'custom', 'tasks', 'checkpoints', 'messages']);

export interface StreamPlan {
  /** Modes to ask `graph.stream` for; `values` is always there to know the final state. */
  libraryModes: string[];
  /** Whether the slower `streamEvents` path is needed (modes `events` or legacy `messages`). */
  needsEvents: boolean;
  requested: Set<string>;
}

export function planStream(requested: StreamMode[]): StreamPlan {
  const modes = new Set<string>(requested);
  const library = new Set<string>(['values']);
  for (const mode of modes) {
    if (mode === 'messages-tuple') library.add('messages');
    else if (mode !== 'messages' && LIBRARY_MODES.has(mode)) library.add(mode);
  }
  return { libraryModes: [...library], needsEvents: modes.has('events') || modes.has('messages'), requested: modes };
}

/** Event name on the wire: `mode`, or `mode|ns1|ns2` for a subgraph's event. */
export function eventName(mode: string, namespace: string[] | undefined): string {
  const wireMode = mode === 'messages' ? 'messages' : mode;
  return namespace && namespace.length > 0 ? `${wireMode}|${namespace.join('|')}` : wireMode;
}
