// A graph for worker tests that run inside jest (which cannot compile graph modules on the fly): its one node
// sleeps `sleep_ms` unless the run's AbortSignal fires first. `sleep_ms_by_attempt` ({"1": ms, "2": ms}) sets the
// sleep of each attempt of the run, so a test can order the ends of two attempts executing at once.
const { Annotation, END, START, StateGraph } = require('@langchain/langgraph');

const State = Annotation.Root({ sleep_ms: Annotation(), sleep_ms_by_attempt: Annotation(), slept_ms: Annotation() });
const FENCE_KEY = '__runhook_checkpoint_fence';

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

exports.graph = new StateGraph(State)
  .addNode('sleep', async (state, config) => {
    const attempt = config.configurable?.[FENCE_KEY]?.attempt;
    const ms = state.sleep_ms_by_attempt?.[String(attempt)] ?? state.sleep_ms;
    await sleep(ms, config.signal);
    return { slept_ms: ms };
  })
  .addEdge(START, 'sleep')
  .addEdge('sleep', END)
  .compile();
