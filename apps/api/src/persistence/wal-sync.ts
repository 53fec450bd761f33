import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes what is in a SQLite WAL file durable with `fdatasync`, run on libuv's thread pool so the event
 * loop never blocks on the disk. One sync runs at a time; callers that arrive while one is under way
 * share the next one (their commits may have missed the first): a group commit, whatever the rate.
 * A sync begins one event-loop turn after it is asked for, so the commits of that turn share it too: a run's
 * end and the claim of its webhook, which the end's commit wakes, are made durable by one fdatasync, not two.
 */
export class WalSync {
  private directorySynced = false;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** fdatasync calls made, for tests. */
  syncs = 0;

  constructor(private readonly walPath: string) {}

  /** Resolves once every byte written to the WAL before the call is on disk. */
  sync(): Promise<void> {
    // A sync not yet begun covers every byte written before it begins, this caller's included.
    if (this.queued) return this.queued;
    this.queued = (this.inFlight ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.queued = null;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<void> {
    const flight = this.flush().finally(() => {
      if (this.inFlight === flight) this.inFlight = null;
    });
    this.inFlight = flight;
    return flight;
  }

  /** Opened per sync (a few microseconds on the thread pool), so there is no handle to close with the connection. */
  private async flush(): Promise<void> {
    if (!this.directorySynced) {
      // The WAL file's directory entry must be durable too, once.
      await this.syncFile(dirname(this.walPath));
      this.directorySynced = true;
    }
    this.syncs += 1;
    await this.syncFile(this.walPath);
  }

  private async syncFile(path: string): Promise<void> {
    const handle: FileHandle = await open(path, 'r');
    try {
      await handle.datasync();
    } finally {
      // Nobody waits for the close: it only gives the descriptor back (one thread-pool trip less per sync).
      handle.close().catch(() => undefined);
    }
  }
}
