import { Command, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { RunKwargs } from '@runhook/contracts';
import { CHECKPOINT_FENCE_KEY, type CheckpointFence } from '../persistence/checkpoint-fence';

/** The graph input of a run: a Command when the client sent one, else its input (null resumes). */
export function graphInput(kwargs: RunKwargs): unknown {
  const command = kwargs.command;
  if (command && (command.resume !== undefined || command.update !== undefined || command.goto !== undefined)) {
    const goto = command.goto as ConstructorParameters<typeof Command>[0]['goto'];
    return new Command({
      resume: command.resume,
      update: command.update as Record<string, unknown> | [string, unknown][] | undefined,
      goto,
    });
  }
  return kwargs.input ?? null;
}

/** Options for `graph.stream` / `graph.streamEvents` built from the stored kwargs. */
export function graphRunConfig(
  kwargs: RunKwargs,
  runId: string,
  attempt: number,
  signal: AbortSignal,
): LangGraphRunnableConfig & Record<string, unknown> {
  const config = kwargs.config ?? {};
  const options: LangGraphRunnableConfig & Record<string, unknown> = {
    // The savers write this run's checkpoints only while it is still this attempt's (see checkpoint-fence).
    configurable: { ...(config.configurable ?? {}), [CHECKPOINT_FENCE_KEY]: { runId, attempt } satisfies CheckpointFence },
    metadata: { ...((config['metadata'] as Record<string, unknown>) ?? {}), run_attempt: attempt },
    tags: config.tags,
    signal,
    runId,
  };
  if (config.recursion_limit !== undefined) options.recursionLimit = config.recursion_limit;
  if (kwargs.context && Object.keys(kwargs.context).length > 0) options['context'] = kwargs.context;
  if (kwargs.interrupt_before) options['interruptBefore'] = kwargs.interrupt_before;
  if (kwargs.interrupt_after) options['interruptAfter'] = kwargs.interrupt_after;
  if (kwargs.durability) options['durability'] = kwargs.durability;
  return options;
}
