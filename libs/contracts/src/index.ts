// First: fails with a clear message when the reflect-metadata polyfill is missing.
import './lib/common/reflect-metadata.check';

export * from './lib/common/common.types';
export * from './lib/common/contract-validation.util';
export * from './lib/common/runnable-config.validator';

export * from './lib/assistants/assistant.types';
export * from './lib/assistants/assistant-versions.dto';
export * from './lib/assistants/create-assistant.dto';
export * from './lib/assistants/search-assistants.dto';

export * from './lib/threads/thread.types';
export * from './lib/threads/create-thread.dto';
export * from './lib/threads/prune-threads.dto';
export * from './lib/threads/search-threads.dto';
export * from './lib/threads/thread-state.dto';

export * from './lib/runs/run.types';
export * from './lib/runs/cancel-runs.dto';
export * from './lib/runs/checkpoint-ref.dto';
export * from './lib/runs/list-runs-query.dto';
export * from './lib/runs/run-command.dto';
export * from './lib/runs/run-create.dto';
export * from './lib/runs/run-error.dto';
export * from './lib/runs/run-payload.dto';
export * from './lib/runs/run-validators.decorator';

export * from './lib/crons/cron.types';
export * from './lib/crons/create-cron.dto';
export * from './lib/crons/cron-payload.dto';
export * from './lib/crons/search-crons.dto';

export * from './lib/store/store.dto';
export * from './lib/store/store.types';

export * from './lib/webhooks/webhook.types';
export * from './lib/webhooks/search-deliveries.dto';
export * from './lib/webhooks/webhook-payload.dto';
export * from './lib/webhooks/webhook-payload.validator';
