import type { Assistant, Config, RunCreateStatelessDto, RunKwargs, StreamMode } from '@runhook/contracts';

export interface KwargsContext {
  runId: string;
  threadId: string;
  assistant: Assistant;
  threadConfig: Config;
  temporary: boolean;
}

function toList(modes: RunCreateStatelessDto['stream_mode']): StreamMode[] {
  if (modes === undefined || modes === null) return ['values'];
  const list = Array.isArray(modes) ? modes : [modes];
  return list.length > 0 ? [...new Set(list)] : ['values'];
}

/**
 * The kwargs LangGraph servers store with a run: the request's graph inputs and the config merged
 * assistant ⊕ thread ⊕ request, with the ids a graph may read from `configurable`.
 */
export function buildRunKwargs(body: RunCreateStatelessDto, context: KwargsContext): RunKwargs {
  const { assistant } = context;
  const request = body.config ?? {};
  const configurable: Record<string, unknown> = {
    ...(assistant.config.configurable ?? {}),
    ...(context.threadConfig.configurable ?? {}),
    ...(request.configurable ?? {}),
    ...(body.checkpoint ?? {}),
    run_id: context.runId,
    thread_id: context.threadId,
    graph_id: assistant.graph_id,
    assistant_id: assistant.assistant_id,
  };
  if (body.checkpoint_id) configurable['checkpoint_id'] = body.checkpoint_id;
  const config: Config = {
    ...assistant.config,
    ...request,
    configurable,
    metadata: {
      ...assistant.metadata,
      ...((request['metadata'] as Record<string, unknown> | undefined) ?? {}),
      ...(body.metadata ?? {}),
    },
  };
  const tags = [...(assistant.config.tags ?? []), ...(request.tags ?? [])];
  if (tags.length > 0) config.tags = [...new Set(tags)];
  return {
    input: body.input ?? null,
    command: body.command ?? null,
    config,
    context: { ...(assistant.context ?? {}), ...(body.context ?? {}) },
    stream_mode: toList(body.stream_mode),
    interrupt_before: body.interrupt_before ?? null,
    interrupt_after: body.interrupt_after ?? null,
    webhook: body.webhook ?? null,
    feedback_keys: body.feedback_keys ?? null,
    temporary: context.temporary,
    subgraphs: body.stream_subgraphs ?? false,
    resumable: body.stream_resumable ?? false,
    checkpoint_during: body.checkpoint_during ?? null,
    durability: body.durability ?? null,
    on_disconnect: body.on_disconnect ?? null,
  };
}
