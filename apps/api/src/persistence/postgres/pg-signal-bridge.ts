import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Notification } from 'pg';
import { isDatabaseUnavailable } from '../../common/database-errors';
import { uuid4 } from '../../common/ids';
import { RunSignals } from '../../common/run-signals';
import { PG_POOL, type PgClient, type PgPool } from './pg-pool';

const CHANNEL = 'runhook_signals';
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

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
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs = RECONNECT_FIRST_MS;
  /** Times the LISTEN connection was re-established (tests and logs). */
  reconnects = 0;

  constructor(
    private readonly signals: RunSignals,
    @Optional() @Inject(PG_POOL) private readonly pool: PgPool | null,
  ) {}

  /** The backend pid of the LISTEN connection, while it is up (shown to tests that terminate it). */
  get listenerPid(): number | null {
    return (this.listener as (PgClient & { processID?: number }) | null)?.processID ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.pool) return;
    // A replica that starts while its database restarts serves on: polling covers until the LISTEN is back.
    await this.listen().catch((error: unknown) => {
      if (!isDatabaseUnavailable(error)) throw error;
      this.logger.warn(`could not LISTEN on PostgreSQL at start (${(error as Error).message}); reconnecting`);
      this.scheduleReconnect();
    });
    this.signals.onWake(() => this.sendWake());
    this.signals.onCancel((runId, action) => this.send({ origin: this.origin, kind: 'cancel', runId, action }));
    this.signals.onEnded((runId) => this.send({ origin: this.origin, kind: 'ended', runId }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    if (!listener) return;
    await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
    // Destroyed rather than returned to the pool: it carries this bridge's listeners.
    listener.release(true);
  }

  /**
   * Opens the LISTEN connection. When it breaks (a database restart terminates it) the error is handled here,
   * never left to end the process: it reconnects with backoff and LISTENs again. Notifications sent meanwhile
   * are lost, so a reconnect wakes this replica's workers; clients following runs poll the database anyway.
   */
  private async listen(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    const client = await pool.connect();
    let broken = false;
    const onBroken = (error?: Error) => {
      // At shutdown the connection is released (destroyed) by onApplicationShutdown.
      if (broken || this.stopped) return;
      broken = true;
      if (this.listener === client) this.listener = null;
      client.release(error ?? new Error('LISTEN connection ended'));
      this.logger.warn(`the LISTEN connection to PostgreSQL broke (${error?.message ?? 'ended'}); reconnecting`);
      this.scheduleReconnect();
    };
    client.on('error', onBroken);
    client.on('end', () => onBroken());
    client.on('notification', (message) => this.receive(message));
    try {
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      onBroken(error as Error);
      throw error;
    }
    this.listener = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(RECONNECT_MAX_MS, this.reconnectDelayMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped) return;
      this.listen().then(
        () => {
          this.reconnectDelayMs = RECONNECT_FIRST_MS;
          this.reconnects += 1;
          this.logger.log('LISTEN connection to PostgreSQL restored');
          // Runs created elsewhere while no notification could arrive: look for them now.
          this.signals.wake();
        },
        (error: unknown) => {
          this.logger.warn(`reconnecting the LISTEN connection failed: ${(error as Error).message}`);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
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
