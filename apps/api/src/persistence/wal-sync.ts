import { close, fdatasync, open } from 'node:fs';
import { type FileHandle, open as openHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

// The WAL's descriptor stays open for the connection's life; it is closed when the WalSync is collected.
const descriptors = new FinalizationRegistry<number>((fd) => close(fd, () => undefined));

function openForSync(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (error, fd) => (error ? reject(error) : resolve(fd))));
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

/**
 * Makes what is in a SQLite WAL file durable with `fdatasync`, run on libuv's thread pool so the event
 * loop never blocks on the disk. One sync runs at a time; callers that arrive while one is under way
 * share the next one (their commits may have missed the first): a group commit, whatever the rate.
 * A sync begins one event-loop turn after it is asked for, so the commits of that turn share it too: a run's
 * end and the claim of its webhook, which the end's commit wakes, are made durable by one fdatasync, not two.
 */
export class WalSync {
  private directorySynced = false;
  /** The WAL, opened at the first sync and kept (SQLite keeps one WAL file while a connection is open). */
  private wal: Promise<number> | null = null;
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

  /**
   * One `fdatasync` on the thread pool per sync. Opening and closing the WAL each time (through promise-based file
   * handles) cost about as much main-thread CPU again as the sync's own bookkeeping, for every run end.
   */
  private async flush(): Promise<void> {
    if (!this.directorySynced) {
      // The WAL file's directory entry must be durable too, once.
      await this.syncDirectory(dirname(this.walPath));
      this.directorySynced = true;
    }
    this.syncs += 1;
    await datasync(await this.walDescriptor());
  }

  private walDescriptor(): Promise<number> {
    if (!this.wal) {
      const opening = openForSync(this.walPath);
      this.wal = opening;
      // A WAL that could not be opened is tried again at the next sync.
      opening.catch(() => {
        if (this.wal === opening) this.wal = null;
      });
      opening.then((fd) => descriptors.register(this, fd)).catch(() => undefined);
    }
    return this.wal;
  }

  private async syncDirectory(path: string): Promise<void> {
    const handle: FileHandle = await openHandle(path, 'r');
    try {
      await handle.datasync();
    } finally {
      // Nobody waits for the close: it only gives the descriptor back (one thread-pool trip less per sync).
      handle.close().catch(() => undefined);
    }
  }
}
