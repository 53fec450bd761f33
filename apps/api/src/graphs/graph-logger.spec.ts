import { Logger } from '@nestjs/common';
import { getLogger } from '@langchain/langgraph-sdk/logging';
import { inGraphContext, registerSdkLogger } from './graph-logger';

describe('the SDK logger registered for graphs', () => {
  const lines: [string, string, unknown][] = [];

  beforeEach(() => {
    lines.length = 0;
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown, ..._rest: unknown[]) {
        lines.push([level, (this as unknown as { context: string }).context, message]);
      });
    }
    registerSdkLogger();
  });

  afterEach(() => jest.restoreAllMocks());

  it("is what the SDK's getLogger() returns, and it logs under the graph being imported or run", () => {
    const logger = getLogger();
    inGraphContext('agent', () => logger.info('imported', { phase: 'import' }).warn('careful'));
    logger.error('outside any graph');
    expect(lines).toEqual([
      ['log', 'graph:agent', "imported { phase: 'import' }"],
      ['warn', 'graph:agent', 'careful'],
      ['error', 'graph', 'outside any graph'],
    ]);
  });

  it('keeps the graph id across awaits, as in a node of a running graph', async () => {
    await inGraphContext('weather', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      getLogger().debug('tick');
      getLogger().http('request');
    });
    expect(lines).toEqual([
      ['debug', 'graph:weather', 'tick'],
      ['log', 'graph:weather', 'request'],
    ]);
  });
});
