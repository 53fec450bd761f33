import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { type LangGraphRunnableConfig, MessagesAnnotation, StateGraph, interrupt } from '@langchain/langgraph';
import { DeterministicChatModel } from './fake-chat-model';

function textOf(message: BaseMessage | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (typeof part === 'string' ? part : 'text' in part ? String(part.text) : ''))
    .join('');
}

function lastHumanText(messages: BaseMessage[]): string {
  const human = [...messages].reverse().find((message) => message.getType() === 'human');
  return textOf(human).trim();
}

/** Waits `ms`, or stops at once with an AbortError when the run is cancelled. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('Aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('Aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const echoModel = new DeterministicChatModel((messages) => `echo: ${lastHumanText(messages)}`);

async function agent(state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig) {
  const text = lastHumanText(state.messages);
  const sleepMatch = /^sleep\s+(\d+)$/i.exec(text);
  if (sleepMatch) {
    const ms = Number(sleepMatch[1]);
    await sleep(ms, config.signal);
    return { messages: [new AIMessage(`slept ${ms}`)] };
  }
  if (text === 'fail') throw new Error('requested failure');
  if (text === 'interrupt') {
    const answer: unknown = interrupt({ question: 'approve?' });
    return { messages: [new AIMessage(`resumed: ${typeof answer === 'string' ? answer : JSON.stringify(answer)}`)] };
  }
  const reply = await echoModel.invoke(state.messages, config);
  return { messages: [reply] };
}

/**
 * The demo graph `agent`: it needs no model or network and makes every run outcome reachable on demand
 * (`sleep <ms>`, `fail`, `interrupt`; anything else is echoed word by word).
 */
export const graph = new StateGraph(MessagesAnnotation).addNode('agent', agent).addEdge('__start__', 'agent').compile();
