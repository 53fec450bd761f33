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
      // Relayed signals are not echoed: the sender only heard its own, once each.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(one.heard).toEqual(['wake', 'wake', 'cancel run-1 rollback', 'ended run-1']);
      expect(two.heard).toHaveLength(3);
    });
  });
});
