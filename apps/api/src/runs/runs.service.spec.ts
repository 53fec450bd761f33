import { RunhookMetrics } from '../observability/runhook-metrics';
import type { RunCreateStatelessDto } from '@runhook/contracts';
import type { AssistantsService } from '../assistants/assistants.service';
import type { AuthService } from '../auth/auth.service';
import { SystemClock } from '../common/clock';
import { RunSignals } from '../common/run-signals';
import { sqliteStore } from '../persistence/testing/store-fixture';
import { InProcessStreamBroker } from '../streaming/in-process-stream-broker';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.service';
import type { WebhookUrlValidator } from '../webhooks/webhook-url.validator';
import type { CreateRunCommand } from './run-record';
import { RunsService } from './runs.service';

describe('RunsService.create', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('closes the channel it opened when the run cannot be written', async () => {
    const store = await sqliteStore();
    const broker = new InProcessStreamBroker();
    // Only the write is exercised: the checks before it (assistant, webhook URL) are not reached.
    const sut = new RunsService(
      {} as AssistantsService,
      store.threads,
      store.runs,
      broker,
      new RunSignals(),
      new SystemClock(),
      {} as WebhookUrlValidator,
      {} as WebhookOutbox,
      {} as AuthService,
      new RunhookMetrics(),
    );
    jest.spyOn(sut, 'prepare').mockResolvedValue({ run: { run_id: 'r1', kwargs: { resumable: false } }, multitaskStrategy: 'enqueue' } as CreateRunCommand);
    await store.close(); // the write fails as on a disk error
    await expect(sut.create(null, { assistant_id: 'agent' } as RunCreateStatelessDto)).rejects.toThrow(/not open/);
    jest.advanceTimersByTime(10_000);
    expect(broker.channelCount).toBe(0);
  });
});
