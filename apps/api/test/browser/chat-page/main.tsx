import type { Message } from '@langchain/langgraph-sdk';
import { useStream } from '@langchain/langgraph-sdk/react';
import { type FormEvent, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

// The page is served from another origin than the server: both come from the query string
// (`?apiUrl=http://127.0.0.1:1234&assistantId=agent`), and the thread id is kept there too, so a
// reload comes back to the same thread and useStream can rejoin the run it was streaming.
const params = new URLSearchParams(window.location.search);
const apiUrl = params.get('apiUrl') ?? 'http://127.0.0.1:2024';
const assistantId = params.get('assistantId') ?? 'agent';

/** One text of the last AI message as it was put on screen, with when (ms since the page loaded). */
interface AiRender {
  text: string;
  at: number;
}

/** What the page showed, in order, for the e2e test to read: each distinct text of the last AI message. */
declare global {
  interface Window {
    __aiRenders: AiRender[];
  }
}
window.__aiRenders = [];

function textOf(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => ('text' in part ? String(part.text) : '')).join('');
}

function rememberThread(threadId: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set('thread', threadId);
  window.history.replaceState(null, '', url);
}

function MessageView({ message }: { message: Message }) {
  const text = textOf(message);
  return (
    <div className={`message ${message.type}`} data-testid="message" data-type={message.type}>
      {text}
    </div>
  );
}

interface ApprovalRequest {
  question?: string;
}

function Chat() {
  const [threadId, setThreadId] = useState<string | null>(params.get('thread'));
  const [draft, setDraft] = useState('');
  const stream = useStream<{ messages: Message[] }>({
    apiUrl,
    assistantId,
    threadId,
    onThreadId: (id) => {
      setThreadId(id);
      rememberThread(id);
    },
    // Keep the run id in sessionStorage and rejoin that run's stream after a reload.
    reconnectOnMount: true,
    // Hand every streamed chunk to React as it arrives, so the reply visibly grows.
    throttle: false,
  });

  const lastAi = [...stream.messages].reverse().find((message) => message.type === 'ai');
  const lastAiText = lastAi ? textOf(lastAi) : undefined;
  useEffect(() => {
    if (lastAiText !== undefined && window.__aiRenders.at(-1)?.text !== lastAiText) {
      window.__aiRenders.push({ text: lastAiText, at: performance.now() });
    }
  }, [lastAiText]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    const content = draft.trim();
    if (!content) return;
    setDraft('');
    void stream.submit({ messages: [{ type: 'human', content }] }, { streamResumable: true, onDisconnect: 'continue' });
  };
  const request = stream.interrupt?.value as ApprovalRequest | undefined;

  return (
    <main>
      <h1>Runhook chat</h1>
      <p className="status" data-testid="status" data-loading={String(stream.isLoading)}>
        {stream.isLoading ? 'streaming…' : 'idle'} · thread {threadId ?? 'none yet'}
      </p>
      <section data-testid="messages">
        {stream.messages.map((message, index) => (
          <MessageView key={message.id ?? index} message={message} />
        ))}
      </section>
      {stream.interrupt && (
        <div className="interrupt" data-testid="interrupt">
          <p data-testid="interrupt-question">{request?.question ?? JSON.stringify(stream.interrupt.value)}</p>
          <button
            type="button"
            data-testid="approve"
            onClick={() => void stream.submit(undefined, { command: { resume: 'yes' }, streamResumable: true })}
          >
            Approve
          </button>
        </div>
      )}
      {stream.error != null && <p data-testid="error">{String(stream.error)}</p>}
      <form onSubmit={send}>
        <textarea data-testid="input" value={draft} onChange={(event) => setDraft(event.target.value)} />
        <button type="submit" data-testid="send">
          Send
        </button>
      </form>
    </main>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<Chat />);
