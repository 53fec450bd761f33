import type { Request, Response } from 'express';
import type { Run } from '@runhook/contracts';
import { RunSignals } from '../common/run-signals';
import type { AppConfig } from '../config/app-config';
import { InProcessStreamBroker } from '../streaming/in-process-stream-broker';
import type { RunOutcome } from '../streaming/run-event';
import { RunResponder, runPaths } from './run-responder.service';
import type { RunsRepository } from './runs.repository';
import type { RunsService } from './runs.service';

/** Just what `wait` uses of an express response: headers, the keep-alive write, the body, and `close`. */
function recordingResponse() {
  const recorded = { status: 0, headers: {} as Record<string, string>, body: null as string | null };
  const response = {
    headersSent: false,
    status(code: number) {
      recorded.status = code;
      return response;
    },
    setHeader(name: string, value: string) {
      recorded.headers[name] = value;
    },
    flushHeaders: () => undefined,
    write: () => true,
    end(body: string) {
      recorded.body = body;
    },
    on: () => response,
  };
  return { recorded, response: response as unknown as Response };
}

describe('RunResponder wait (join and /runs/wait)', () => {
  const run = { run_id: 'run-1', thread_id: 'thread-1' } as Run;
  let broker: InProcessStreamBroker;
  let responder: RunResponder;

  beforeEach(() => {
    jest.useFakeTimers();
    broker = new InProcessStreamBroker();
    const config = { stream: { heartbeatMs: 60_000 } } as AppConfig;
    responder = new RunResponder(config, broker, {} as RunsRepository, {} as RunsService, new RunSignals(), {} as never);
    broker.open(run.run_id, { keepEvents: false, executing: true });
  });
  afterEach(() => {
    broker.onModuleDestroy();
    jest.useRealTimers();
  });

  function answerTo(outcome: RunOutcome): string | null {
    const { recorded, response } = recordingResponse();
    responder.wait({} as Request, response, run, runPaths(run, false, 'join'), false);
    broker.finish(run.run_id, outcome);
    expect(recorded.status).toBe(200);
    return recorded.body;
  }

  it('answers with the JSON text the run end made of its values, not a second serialization of them', () => {
    // Equivalent JSON, written differently: only a responder that uses the run end's text answers this spelling.
    expect(answerTo({ status: 'success', output: { messages: [] }, outputJson: '{"messages": []}' })).toBe('{"messages": []}');
  });

  it('serializes the output when the run end made no text of it (an interrupt, an error, a run read back)', () => {
    expect(answerTo({ status: 'error', output: { __error__: { error: 'Boom', message: 'x' } } })).toBe('{"__error__":{"error":"Boom","message":"x"}}');
    broker.open('run-2', { keepEvents: false, executing: true });
    const { recorded, response } = recordingResponse();
    responder.wait({} as Request, response, { ...run, run_id: 'run-2' }, runPaths(run, false, 'join'), false);
    broker.finish('run-2', { status: 'success', output: null });
    expect(recorded.body).toBe('null');
  });
});
