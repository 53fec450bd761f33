import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Notification } from 'pg';
import { uuid4 } from '../../common/ids';
import { RunSignals } from '../../common/run-signals';
import { PG_POOL, type PgClient, type PgPool } from './pg-pool';

const CHANNEL = 'runhook_signals';

type BridgedSignal =
  | { origin: string; kind: 'wake' }
  | { origin: string; kind: 'cancel'; runId: string; action: 'interrupt' | 'rollback' }
  | { origin: string; kind: 'ended'; runId: string };

/**
 * Carries run signals between replicas sharing a PostgreSQL database (LISTEN/NOTIFY): a run created on
 * one replica wakes the workers of all, a cancel reaches the replica executing the run at once, and a
 * run's end wakes the clients following it from another replica. Without it those wait for a poll.
 */
@Injectable()
export class PgSignalBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PgSignalBridge.name);
  private readonly origin = uuid4();
  private listener: PgClient | null = null;
  /** Signals raised by a notification are not sent back out. */
  private relaying = false;
  private wakePending = false;
  private stopped = false;

  constructor(
    private readonly signals: RunSignals,
    @Optional() @Inject(PG_POOL) private readonly pool: PgPool | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.pool) return;
    this.listener = await this.pool.connect();
    this.listener.on('notification', (message) => this.receive(message));
    await this.listener.query(`LISTEN ${CHANNEL}`);
    this.signals.onWake(() => this.sendWake());
    this.signals.onCancel((runId, action) => this.send({ origin: this.origin, kind: 'cancel', runId, action }));
    this.signals.onEnded((runId) => this.send({ origin: this.origin, kind: 'ended', runId }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const listener = this.listener;
    this.listener = null;
    if (!listener) return;
    await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
    listener.release();
  }

  /** Many runs created in one turn of the event loop make one notification. */
  private sendWake(): void {
    if (this.relaying || this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.send({ origin: this.origin, kind: 'wake' });
    });
  }

  private send(signal: BridgedSignal): void {
    if (this.relaying || this.stopped || !this.pool) return;
    this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(signal)]).catch((error: unknown) => {
      this.logger.warn(`could not notify other replicas: ${(error as Error).message}`);
    });
  }

  private receive(message: Notification): void {
    if (message.channel !== CHANNEL || !message.payload) return;
    let signal: BridgedSignal;
    try {
      signal = JSON.parse(message.payload) as BridgedSignal;
    } catch {
      return;
    }
    if (signal.origin === this.origin) return;
    this.relaying = true;
    try {
      if (signal.kind === 'wake') this.signals.wake();
      else if (signal.kind === 'cancel') this.signals.cancel(signal.runId, signal.action);
      else if (signal.kind === 'ended') this.signals.ended(signal.runId);
    } finally {
      this.relaying = false;
    }
  }
}
