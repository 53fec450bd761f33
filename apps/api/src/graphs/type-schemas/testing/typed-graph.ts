// A graph typed only with TypeScript (Annotation states): nothing at run time says what its channels hold.
import { Annotation, END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { reviewer } from './typed-subgraph';

const Child = Annotation.Root({
  verdict: Annotation<'approve' | 'reject'>(),
  notes: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
});
const child = new StateGraph(Child).addNode('judge', () => ({ verdict: 'approve' as const })).addEdge(START, 'judge').addEdge('judge', END);

const State = Annotation.Root({
  ...MessagesAnnotation.spec,
  phase: Annotation<'draft' | 'final'>(),
  budget: Annotation<{ tokens: number; hard: boolean } | null>(),
});
const Context = Annotation.Root({ model: Annotation<'small' | 'large'>() });

const workflow = new StateGraph(State, Context).addNode('child', child.compile()).addNode('write', () => ({ phase: 'final' as const }));
// A node added by a statement on the builder, with a subgraph imported from another module.
workflow.addNode('review', (state: typeof State.State) => reviewer.invoke({ score: state.messages.length }));

export const graph = (async () => workflow.compile())();
