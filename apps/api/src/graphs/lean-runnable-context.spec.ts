import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { getContextVariable, registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { AIMessageChunk, HumanMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { Annotation, Command, END, getConfig, getWriter, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { RunTree } from 'langsmith/run_trees';
import { traceable } from 'langsmith/traceable';
import { installLeanRunnableContext, installLeanRunnableContextBeside } from './lean-runnable-context';

const originalRunWithConfig = AsyncLocalStorageProviderSingleton.runWithConfig;

/** What a node sees of LangChain's context while it runs. */
interface Seen {
  threadId: unknown;
  /** The stored LangSmith run tree: a disabled one, whose id is new for every node (LangChain) or shared (lean). */
  runTree: { isRunTree: boolean; tracingEnabled: unknown; id: unknown };
  contextVariable: unknown;
  /** What a langsmith `traceable` helper called by the node finds of the config (or how it fails). */
  inTraceable: unknown;
}

const threadIdInTraceable = traceable(async () => getConfig().configurable?.['thread_id'], { name: 'helper' });

function inspectingGraph(seen: Seen[]) {
  const nested = RunnableLambda.from(async () => getContextVariable('tenant'));
  const State = Annotation.Root({ answer: Annotation<string>(), asked: Annotation<string>() });
  return new StateGraph(State)
    .addNode('ask', async () => {
      const stored = AsyncLocalStorageProviderSingleton.getInstance().getStore() as RunTree;
      const runTree = { isRunTree: stored instanceof RunTree, tracingEnabled: stored.tracingEnabled, id: stored.id };
      // Setting a variable replaces what is stored (LangChain copies it); the config must survive that.
      setContextVariable('tenant', 'acme');
      const inTraceable = await threadIdInTraceable().catch((error: Error) => `failed: ${error.message}`);
      seen.push({ threadId: getConfig().configurable?.['thread_id'], runTree, contextVariable: await nested.invoke({}), inTraceable });
      getWriter()?.({ progress: 'asking' });
      return { asked: 'name?', answer: interrupt('name?') as string };
    })
    .addEdge(START, 'ask')
    .addEdge('ask', END)
    .compile({ checkpointer: new MemorySaver() });
}

async function askAndResume(seen: Seen[], callbacks?: BaseCallbackHandler[]) {
  const graph = inspectingGraph(seen);
  const config = { configurable: { thread_id: 'thread-1' }, callbacks };
  const custom: unknown[] = [];
  for await (const [mode, chunk] of await graph.stream({ answer: '' }, { ...config, streamMode: ['custom', 'values'] })) {
    if (mode === 'custom') custom.push(chunk);
  }
  const paused = await graph.getState(config);
  const resumed = await graph.invoke(new Command({ resume: 'Ada' }), config);
  return { custom, pausedOn: paused.tasks[0]?.interrupts[0]?.value, resumed };
}

/** A handler that says it is LangSmith's tracer: LangChain's own context code must handle the call. */
class TracerNamedHandler extends BaseCallbackHandler {
  name = 'langchain_tracer';
  getRunTreeWithTracingConfig() {
    return new RunTree({ name: 'traced', tracingEnabled: false });
  }
}

describe('installLeanRunnableContext', () => {
  afterEach(() => {
    AsyncLocalStorageProviderSingleton.runWithConfig = originalRunWithConfig;
  });

  it("keeps what a node reads of its context (config, writer, interrupt, context variables) without constructing LangSmith run trees", async () => {
    const before: Seen[] = [];
    const asLangChainDoes = await askAndResume(before);
    const ids = (seen: Seen[]) => new Set(seen.map(({ runTree }) => runTree.id)).size;
    expect(before).toHaveLength(2);
    expect(ids(before)).toBe(2);

    expect(installLeanRunnableContext(AsyncLocalStorageProviderSingleton, CallbackManager)).toBe('installed');
    const after: Seen[] = [];
    const lean = await askAndResume(after);

    expect(lean).toEqual(asLangChainDoes);
    expect(lean).toEqual({ custom: [{ progress: 'asking' }], pausedOn: 'name?', resumed: { asked: 'name?', answer: 'Ada' } });
    // The same disabled run tree each time, copied rather than constructed: only its id (which tracing reads) is shared.
    expect(ids(after)).toBe(1);
    const withoutIds = (seen: Seen[]) => seen.map(({ runTree, ...rest }) => ({ ...rest, runTree: { ...runTree, id: 'some id' } }));
    expect(withoutIds(after)).toEqual(withoutIds(before));
    expect(withoutIds(after)[0]).toEqual({
      threadId: 'thread-1',
      runTree: { isRunTree: true, tracingEnabled: false, id: 'some id' },
      contextVariable: 'acme',
      // As LangChain has it with tracing off: a traceable helper runs outside the node's context.
      inTraceable: before[0]?.inTraceable,
    });
  });

  it("streams a chat model's tokens (LangChain callbacks) as before", async () => {
    installLeanRunnableContext(AsyncLocalStorageProviderSingleton, CallbackManager);
    const model = new FakeListChatModel({ responses: ['hello there'] });
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('reply', async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(START, 'reply')
      .compile();
    const tokens: string[] = [];
    for await (const [chunk] of await graph.stream({ messages: [new HumanMessage('hi')] }, { streamMode: 'messages' })) {
      if (chunk instanceof AIMessageChunk) tokens.push(String(chunk.content));
    }
    expect(tokens.join('')).toBe('hello there');
    expect(tokens.length).toBeGreaterThan(1);
  });

  it("leaves a call that a LangSmith tracer takes part in to LangChain's own code", async () => {
    installLeanRunnableContext(AsyncLocalStorageProviderSingleton, CallbackManager);
    const seen: Seen[] = [];
    await askAndResume(seen, [new TracerNamedHandler()]);
    expect(seen.map(({ runTree }) => runTree.isRunTree)).toEqual([true, true]);
    expect(new Set(seen.map(({ runTree }) => runTree.id)).size).toBe(2);
  });

  it("skips LangChain's callback set-up where it could give no tracer, and runs it where it could", async () => {
    const setUps = jest.spyOn(CallbackManager, '_configureSync');
    try {
      await askAndResume([]);
      const asLangChainDoes = setUps.mock.calls.length;
      setUps.mockClear();
      installLeanRunnableContext(AsyncLocalStorageProviderSingleton, CallbackManager);
      await askAndResume([]);
      expect(setUps.mock.calls.length).toBeLessThan(asLangChainDoes);

      // A configure hook (kept among the context variables) may add a tracer: such calls go through the set-up.
      const seen: Seen[] = [];
      await AsyncLocalStorageProviderSingleton.getInstance().run(undefined, async () => {
        registerConfigureHook({ contextVar: 'runhook_test_tracer' });
        setContextVariable('runhook_test_tracer', new TracerNamedHandler());
        await askAndResume(seen);
      });
      expect(new Set(seen.map(({ runTree }) => runTree.id)).size).toBe(2);
    } finally {
      setUps.mockRestore();
    }
  });

  it('installs once, and leaves alone a provider whose runWithConfig it does not know', async () => {
    expect(installLeanRunnableContext(AsyncLocalStorageProviderSingleton, CallbackManager)).toBe('installed');
    expect(installLeanRunnableContext(AsyncLocalStorageProviderSingleton, CallbackManager)).toBe('already installed');

    const changed = { getInstance: () => AsyncLocalStorageProviderSingleton.getInstance(), runWithConfig: (_config: unknown, callback: () => unknown) => callback() };
    const runWithConfig = changed.runWithConfig;
    expect(installLeanRunnableContext(changed, CallbackManager)).toBe('unrecognized');
    expect(changed.runWithConfig).toBe(runWithConfig);
    expect(installLeanRunnableContext({}, CallbackManager)).toBe('unrecognized');
  });

  it("finds the copy of @langchain/core beside a graph, or says it found none", async () => {
    const beside = (specifier: string) => Promise.resolve(require(specifier) as Record<string, unknown>);
    expect(await installLeanRunnableContextBeside(beside)).toBe('installed');
    expect(AsyncLocalStorageProviderSingleton.runWithConfig).not.toBe(originalRunWithConfig);
    expect(await installLeanRunnableContextBeside(() => Promise.resolve(null))).toBe('not found');
  });
});
