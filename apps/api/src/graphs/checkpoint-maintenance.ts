/**
 * Operations on LangGraph checkpoints that the saver interface lacks: copying a thread's history and
 * discarding what a rolled-back run wrote.
 */
export abstract class CheckpointMaintenance {
  abstract copyThread(fromThreadId: string, toThreadId: string): Promise<void>;
  /** Deletes the thread's checkpoints newer than `afterCheckpointId` (all of them when null). */
  abstract deleteAfter(threadId: string, afterCheckpointId: string | null): Promise<void>;
  abstract deleteThread(threadId: string): Promise<void>;
  /** Deletes all but the newest checkpoint of each namespace (root and subgraphs), and their writes. */
  abstract keepLatest(threadId: string): Promise<void>;
  /** The id of the thread's newest root checkpoint, read without loading (and decoding) the state. */
  abstract latestCheckpointId(threadId: string): Promise<string | null>;
}
