import { waitFor } from '@runhook/testing';
import { RunSignals } from '../../common/run-signals';
import { describePostgresStore, type StoreFixture } from '../testing/store-fixture';
import { PgSignalBridge } from './pg-signal-bridge';

interface Replica {
  signals: RunSignals;
  bridge: PgSignalBridge;
  heard: string[];
}

async function replica(store: StoreFixture): Promise<Replica> {
  const signals = new RunSignals();
  const heard: string[] = [];
  signals.onWake(() => heard.push('wake'));
  signals.onCancel((runId, action) => heard.push(`cancel ${runId} ${action}`));
  signals.onEnded((runId) => heard.push(`ended ${runId}`));
  const bridge = new PgSignalBridge(signals, store.postgres?.pool ?? null);
  await bridge.onApplicationBootstrap();
  return { signals, bridge, heard };
}

describePostgresStore((factory) => {
  describe('PgSignalBridge between two replicas of one PostgreSQL database', () => {
    let store: StoreFixture;
    let one: Replica;
    let two: Replica;

    beforeAll(async () => {
      store = await factory();
      one = await replica(store);
      two = await replica(store);
    });

    afterAll(async () => {
      await one?.bridge.onApplicationShutdown();
      await two?.bridge.onApplicationShutdown();
      await store?.close();
    });

    it('relays wake-ups, cancels and run ends to the other replica, never back to the sender', async () => {
      one.signals.wake();
      one.signals.wake();
      one.signals.cancel('run-1', 'rollback');
      one.signals.ended('run-1');
      await waitFor(() => two.heard.length >= 3);
      // The two wakes of one event-loop turn travel as one notification; notifications carry no order.
      expect([...two.heard].sort()).toEqual(['cancel run-1 rollback', 'ended run-1', 'wake']);
      // Relayed signals are not echoed. A marker sent by `two` after it heard them commits after them, so `one`
      // hears any echo of its own signals before the marker (PostgreSQL delivers in commit order).
      two.signals.ended('marker-1');
      await waitFor(() => one.heard.includes('ended marker-1'));
      expect(one.heard).toEqual(['wake', 'wake', 'cancel run-1 rollback', 'ended run-1', 'ended marker-1']);
      expect(two.heard).toHaveLength(4);
    });

    it('survives its LISTEN connection being terminated: reconnects, LISTENs again and delivers later signals', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      process.on('uncaughtException', onUnhandled);
      try {
        const pid = two.bridge.listenerPid;
        expect(pid).not.toBeNull();
        // What a PostgreSQL restart does to every session (57P01), from another connection.
        await store.postgres?.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        await waitFor(() => two.bridge.reconnects === 1 && two.bridge.listenerPid !== null && two.bridge.listenerPid !== pid, {
          message: 'LISTEN connection re-established',
        });
        // The reconnect wakes the replica's own workers: notifications sent in the gap are lost.
        expect(two.heard.at(-1)).toBe('wake');
        one.signals.ended('run-after-restart');
        await waitFor(() => two.heard.includes('ended run-after-restart'), { message: 'signal delivered after the reconnect' });
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        process.off('uncaughtException', onUnhandled);
      }
    });

    it('starts while the database refuses connections, and LISTENs once it answers', async () => {
      const pool = store.postgres?.pool;
      if (!pool) throw new Error('no pool');
      let refusals = 1;
      // The pool as a replica sees it while PostgreSQL restarts: the first connect is refused.
      const restarting = new Proxy(pool, {
        get(target, key, receiver) {
          if (key === 'connect' && refusals > 0) {
            refusals--;
            return async () => {
              throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
            };
          }
          const value = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const signals = new RunSignals();
      const heard: string[] = [];
      signals.onEnded((runId) => heard.push(runId));
      const late = new PgSignalBridge(signals, restarting);
      try {
        await expect(late.onApplicationBootstrap()).resolves.toBeUndefined();
        await waitFor(() => late.reconnects === 1 && late.listenerPid !== null, { message: 'LISTEN after the refusal' });
        one.signals.ended('run-after-start');
        await waitFor(() => heard.includes('run-after-start'), { message: 'signal delivered to the late replica' });
      } finally {
        await late.onApplicationShutdown();
      }
    });
  });
});
