import { performance } from 'node:perf_hooks';

/** A send that answers within this is quick: its endpoint may have rows leased ahead (see the dispatcher). */
export const QUICK_SEND_MS = 250;

/** One open send; `close()` ends it and frees its slot. */
export interface SendSlot {
  close(): void;
}

/**
 * The sends of one endpoint in this process: at most `limit` open at once, where the limit is the one the latest
 * claim gave (it leaves room for other processes' leases); the rest wait their turn in claim order. It lives while
 * the dispatcher holds deliveries of the endpoint.
 */
export class EndpointGate {
  private limit = 1;
  private held = 0;
  private lastSendMs: number | null = null;
  /** When the last held delivery was let go, while none is held. */
  private idleSince: number | null = null;
  /** When each open send began. */
  private readonly open = new Set<{ began: number }>();
  private readonly queue: ((slot: SendSlot) => void)[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The latest send answered quickly, and no send open now has been waiting for its answer longer. */
  get answersQuickly(): boolean {
    if (this.lastSendMs === null || this.lastSendMs > QUICK_SEND_MS) return false;
    const since = this.now() - QUICK_SEND_MS;
    for (const send of this.open) if (send.began < since) return false;
    return true;
  }

  /** A claimed delivery of the endpoint, with the send limit its claim gave. */
  hold(limit: number): void {
    this.held += 1;
    this.idleSince = null;
    this.limit = Math.max(limit, 1);
    this.admit();
  }

  /** A delivery is done with (sent or not); answers how many are still held. */
  unhold(): number {
    this.held -= 1;
    if (this.held === 0) this.idleSince = this.now();
    return this.held;
  }

  /** Holds nothing, and has held nothing for longer than `ms`. */
  idleLongerThan(ms: number): boolean {
    return this.idleSince !== null && this.now() - this.idleSince > ms;
  }

  /** Resolves with a slot once fewer than the limit are open and every earlier caller has had one. */
  acquire(): Promise<SendSlot> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.admit();
    });
  }

  private admit(): void {
    while (this.open.size < this.limit && this.queue.length > 0) {
      const send = { began: this.now() };
      this.open.add(send);
      const close = (): void => {
        if (!this.open.delete(send)) return;
        this.lastSendMs = this.now() - send.began;
        this.admit();
      };
      this.queue.shift()?.({ close });
    }
  }
}
