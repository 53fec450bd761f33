import { Annotation, END, START, StateGraph } from '@langchain/langgraph';

export const reviewer = new StateGraph(Annotation.Root({ score: Annotation<number>() }))
  .addNode('score', () => ({ score: 1 }))
  .addEdge(START, 'score')
  .addEdge('score', END)
  .compile();
