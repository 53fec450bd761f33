import { Logger } from '@nestjs/common';
import { Annotation, StateGraph } from '@langchain/langgraph';
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

  it('names the graph of a running node from the run config, without a context of its own', async () => {
    const State = Annotation.Root({ n: Annotation<number> });
    const graph = new StateGraph(State)
      .addNode('step', async (state) => {
        await new Promise((resolve) => setImmediate(resolve));
        getLogger().warn('inside the node');
        return { n: state.n + 1 };
      })
      .addEdge('__start__', 'step')
      .compile();
    await graph.invoke({ n: 0 }, { configurable: { graph_id: 'planner' } });
    expect(lines).toEqual([['warn', 'graph:planner', 'inside the node']]);
  });

  it('switches its own context off once the import settles, so it costs nothing per promise afterwards', async () => {
    let later: Promise<void> = Promise.resolve();
    await inGraphContext('weather', async () => {
      // Work the module leaves behind after its import has finished.
      later = new Promise((resolve) => setTimeout(resolve, 0)).then(() => void getLogger().info('after the import'));
    });
    await later;
    expect(lines).toEqual([['log', 'graph', 'after the import']]);
  });
});
