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

/** The gates of the endpoints this process holds deliveries of, each made on its endpoint's first delivery. */
export class EndpointGates {
  /** A quick endpoint may have this many times its send limit leased ahead, waiting for its slots. */
  static readonly AHEAD_PER_SEND_SLOT = 3;
  /** A gate outlives its endpoint's last held delivery this long, so its quickness is known to the next claims. */
  static readonly IDLE_MS = 1_000;

  private readonly gates = new Map<string, EndpointGate>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  forEndpoint(endpoint: string): EndpointGate {
    let gate = this.gates.get(endpoint);
    if (!gate) {
      gate = new EndpointGate(this.now);
      this.gates.set(endpoint, gate);
    }
    return gate;
  }

  unhold(endpoint: string): void {
    this.gates.get(endpoint)?.unhold();
  }

  /**
   * How many rows each endpoint may have leased ahead of its sends, for a claim. Endpoints whose latest send answered
   * quickly get some; a slow or unknown one gets none, so rows waiting for its slots never crowd out other endpoints'
   * deliveries from the overall concurrency. Gates that have held nothing for a while are forgotten here.
   */
  leaseAhead(perEndpoint: number): Map<string, number> {
    const ahead = new Map<string, number>();
    for (const [endpoint, gate] of this.gates) {
      if (gate.idleLongerThan(EndpointGates.IDLE_MS)) this.gates.delete(endpoint);
      else if (gate.answersQuickly) ahead.set(endpoint, perEndpoint * EndpointGates.AHEAD_PER_SEND_SLOT);
    }
    return ahead;
  }
}
