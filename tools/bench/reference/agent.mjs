// Deterministic demo graph for the reference server, behaving like Runhook's `agent`:
//   "sleep <ms>" -> waits, replies "slept <ms>"; anything else -> "echo: <text>",
//   streamed word by word through a tiny fake chat model.
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { ChatGenerationChunk } from '@langchain/core/outputs';
import { MessagesAnnotation, StateGraph, START, END } from '@langchain/langgraph';

function textOf(message) {
  const c = message?.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (typeof p === 'string' ? p : (p?.text ?? ''))).join('');
  return '';
}

function isHuman(message) {
  const t = typeof message?._getType === 'function' ? message._getType() : message?.type;
  return t === 'human' || t === 'user';
}

class EchoChatModel extends BaseChatModel {
  _llmType() {
    return 'bench-echo';
  }

  reply(messages) {
    const human = [...messages].reverse().find(isHuman);
    return `echo: ${textOf(human)}`;
  }

  async _generate(messages) {
    const text = this.reply(messages);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  async *_streamResponseChunks(messages, _options, runManager) {
    const words = this.reply(messages).split(/(?<= )/);
    for (const word of words) {
      const chunk = new ChatGenerationChunk({ text: word, message: new AIMessageChunk({ content: word }) });
      yield chunk;
      await runManager?.handleLLMNewToken(word);
    }
  }
}

const model = new EchoChatModel({});

async function agent(state, config) {
  const human = [...state.messages].reverse().find(isHuman);
  const text = textOf(human).trim();
  const sleep = /^sleep\s+(\d+)$/.exec(text);
  if (sleep) {
    const ms = Number(sleep[1]);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      config?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('cancelled'));
      });
    });
    return { messages: [new AIMessage(`slept ${ms}`)] };
  }
  const reply = await model.invoke(state.messages, config);
  return { messages: [reply] };
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode('agent', agent)
  .addEdge(START, 'agent')
  .addEdge('agent', END)
  .compile();
