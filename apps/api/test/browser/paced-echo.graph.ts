import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import { type LangGraphRunnableConfig, MessagesAnnotation, StateGraph } from '@langchain/langgraph';
import { DeterministicChatModel } from '../../src/demo-graph/fake-chat-model';

/** Pause between two words: long enough that a server holding back its SSE output shows as one late burst. */
const WORD_PAUSE_MS = 40;

function lastHumanText(messages: BaseMessage[]): string {
  const human = [...messages].reverse().find((message) => message.getType() === 'human');
  return typeof human?.content === 'string' ? human.content : '';
}

/** The demo graph's echo model, at the pace of a real model: one word every WORD_PAUSE_MS. */
class PacedEchoModel extends DeterministicChatModel {
  constructor() {
    super((messages) => `echo: ${lastHumanText(messages)}`);
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    for await (const chunk of super._streamResponseChunks(messages, options, runManager)) {
      yield chunk;
      await new Promise((resolve) => setTimeout(resolve, WORD_PAUSE_MS));
    }
  }
}

const model = new PacedEchoModel();

/** `paced_echo`: echoes the last human message word by word, with a pause between words. */
export const graph = new StateGraph(MessagesAnnotation)
  .addNode('agent', async (state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig) => ({
    messages: [await model.invoke(state.messages, config)],
  }))
  .addEdge('__start__', 'agent')
  .compile();
