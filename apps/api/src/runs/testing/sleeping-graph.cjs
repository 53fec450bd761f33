// A graph for worker tests that run inside jest (which cannot compile graph modules on the fly): its one node
// sleeps `sleep_ms` unless the run's AbortSignal fires first.
const { Annotation, END, START, StateGraph } = require('@langchain/langgraph');

const State = Annotation.Root({ sleep_ms: Annotation(), slept_ms: Annotation() });

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

exports.graph = new StateGraph(State)
  .addNode('sleep', async (state, config) => {
    await sleep(state.sleep_ms, config.signal);
    return { slept_ms: state.sleep_ms };
  })
  .addEdge(START, 'sleep')
  .addEdge('sleep', END)
  .compile();
