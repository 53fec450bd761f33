import { BadRequestException, ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Checkpoint, Thread, ThreadHistoryDto, ThreadState, UpdateThreadStateDto } from '@runhook/contracts';
import { Clock } from '../common/clock';
import { isPlainObject } from '../common/json';
import { GraphRegistry, type RunnableGraph } from '../graphs/graph-registry.service';
import { configToCheckpoint, emptyThreadState, toThreadState } from './thread-state.mapper';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

export interface CheckpointSelector {
  checkpoint_id?: string;
  checkpoint_ns?: string;
  checkpoint_map?: Record<string, unknown>;
}

/**
 * A factory graph must be rebuilt as its runs saw it, or its nodes may not exist: the thread keeps the config of its
 * last run (assistant ⊕ thread ⊕ request), which LangGraph servers hand to the factory on the state endpoints.
 */
export function factoryConfigOf(thread: Thread): LangGraphRunnableConfig {
  const stored = thread.config ?? {};
  return { ...stored, configurable: { ...(stored.configurable ?? {}), thread_id: thread.thread_id } } as LangGraphRunnableConfig;
}

/** LangGraph rejects an update naming an unknown node or channel: the request is at fault, not the server. */
async function rejectingInvalidUpdates<T>(update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (error) {
    // By name: the project may bring its own copy of @langchain/langgraph, whose error class is not ours.
    if (error instanceof Error && error.name === 'InvalidUpdateError') throw new UnprocessableEntityException({ detail: error.message });
    throw error;
  }
}

/**
 * LangGraph finds a node with `nodes[asNode]`, so a name the nodes object inherits (`constructor`, `toString`) passes
 * its "does not exist" check and fails deep inside, a 500. Such a name gets the 422 an unknown node gets.
 */
function refuseInheritedNodeName(graph: RunnableGraph, asNode: string | null | undefined): void {
  const nodes = graph.nodes as object;
  if (typeof asNode === 'string' && asNode in nodes && !Object.prototype.hasOwnProperty.call(nodes, asNode)) {
    throw new UnprocessableEntityException({ detail: `Node "${asNode}" does not exist` });
  }
}

/** Reads and writes a thread's LangGraph state through its graph, so reducers apply as in a run. */
@Injectable()
export class ThreadStateService {
  constructor(
    private readonly threads: ThreadsService,
    private readonly repository: ThreadsRepository,
    private readonly graphs: GraphRegistry,
    private readonly clock: Clock,
  ) {}

  async getState(threadId: string, selector: CheckpointSelector = {}, subgraphs = false): Promise<ThreadState> {
    const thread = await this.threads.get(threadId);
    const graph = await this.graphFor(thread);
    if (!graph) return emptyThreadState(threadId);
    const snapshot = await graph.getState(this.configFor(threadId, selector), { subgraphs });
    return toThreadState(snapshot);
  }

  /** Answers the new checkpoint both as the servers do (`checkpoint`) and as the SDK types it (`configurable`). */
  async updateState(threadId: string, body: UpdateThreadStateDto): Promise<{ checkpoint: Checkpoint; configurable: Record<string, unknown> }> {
    const thread = await this.threads.get(threadId);
    const graph = await this.graphFor(thread);
    if (!graph) throw new BadRequestException({ detail: 'Thread has no graph ID.' });
    if (await this.repository.hasActiveRun(threadId)) throw new ConflictException({ detail: 'Thread is busy' });
    const selector: CheckpointSelector = { ...(body.checkpoint ?? {}), ...(body.checkpoint_id ? { checkpoint_id: body.checkpoint_id } : {}) };
    refuseInheritedNodeName(graph, body.as_node);
    const config = await rejectingInvalidUpdates(() => graph.updateState(this.configFor(threadId, selector), body.values, body.as_node ?? undefined));
    await this.refresh(threadId, graph);
    const checkpoint = configToCheckpoint(config) as Checkpoint;
    return { checkpoint, configurable: { thread_id: threadId, checkpoint_ns: checkpoint.checkpoint_ns, checkpoint_id: checkpoint.checkpoint_id } };
  }

  async history(threadId: string, body: ThreadHistoryDto): Promise<ThreadState[]> {
    const thread = await this.threads.get(threadId);
    const graph = await this.graphFor(thread);
    if (!graph) return [];
    const before = typeof body.before === 'string' ? { configurable: { checkpoint_id: body.before } } : isPlainObject(body.before) ? body.before : undefined;
    const states: ThreadState[] = [];
    const options = { limit: body.limit ?? 10, before, filter: body.metadata } as never;
    for await (const snapshot of graph.getStateHistory(this.configFor(threadId, body.checkpoint ?? {}), options)) {
      states.push(toThreadState(snapshot));
    }
    return states;
  }

  /**
   * Applies `supersteps` given at thread creation, as if nodes had written them. When the graph refuses them (an
   * unknown node, a value its reducers cannot take: a 422, see HttpExceptionFilter) the new thread is removed
   * again, so a refused create leaves nothing behind.
   */
  async applySupersteps(threadId: string, graphId: string, supersteps: { updates: { values?: unknown; as_node: string }[] }[]): Promise<void> {
    try {
      const graph = await this.graphs.get(graphId, { configurable: { thread_id: threadId } });
      for (const step of supersteps) for (const update of step.updates) refuseInheritedNodeName(graph, update.as_node);
      await rejectingInvalidUpdates(() =>
        graph.bulkUpdateState(
          this.configFor(threadId, {}),
          supersteps.map((step) => ({ updates: step.updates.map((update) => ({ values: update.values, asNode: update.as_node ?? undefined })) })),
        ),
      );
      await this.refresh(threadId, graph);
    } catch (error) {
      // The thread was created for these supersteps: a refused update leaves nothing behind.
      await this.threads.delete(threadId);
      throw error;
    }
  }

  /** Keeps the thread row's `values`, `interrupts` and status in step with its latest checkpoint. */
  private async refresh(threadId: string, graph: RunnableGraph): Promise<void> {
    const state = toThreadState(await graph.getState(this.configFor(threadId, {})));
    const interrupts: Record<string, ThreadState['interrupts']> = {};
    for (const task of state.tasks) if (task.interrupts.length) interrupts[task.id] = task.interrupts;
    await this.repository.saveState(threadId, {
      values: state.values as Record<string, unknown>,
      interrupts,
      status: state.next.length > 0 ? 'interrupted' : 'idle',
      now: this.clock.isoNow(),
    });
  }

  private configFor(threadId: string, selector: CheckpointSelector) {
    const configurable: Record<string, unknown> = { thread_id: threadId, checkpoint_ns: selector.checkpoint_ns ?? '' };
    if (selector.checkpoint_id) configurable['checkpoint_id'] = selector.checkpoint_id;
    if (selector.checkpoint_map) configurable['checkpoint_map'] = selector.checkpoint_map;
    return { configurable };
  }

  private async graphFor(thread: Thread): Promise<RunnableGraph | null> {
    const graphId = thread.metadata['graph_id'];
    if (typeof graphId !== 'string' || !this.graphs.has(graphId)) return null;
    return this.graphs.get(graphId, factoryConfigOf(thread));
  }
}
