import { join } from 'node:path';
import { auth } from '../../test/fixtures/auth/auth';
import { AuthContext } from '../auth/auth-context';
import { AuthService } from '../auth/auth.service';
import { loadAppConfig } from '../config/app-config';
import type { RunsRepository } from '../runs/runs.repository';
import type { ThreadsRepository } from '../threads/threads.repository';
import { DeliveryVisibility } from './delivery-visibility';

const FIXTURE = join(__dirname, '../../test/fixtures/auth');
const alice = { user: { identity: 'alice', permissions: ['read'], display_name: 'Alice', is_authenticated: true }, scopes: ['read'] };

/** Threads and runs as plain maps: only their `get` is read, and only their metadata matters here. */
function visibility(threads: Record<string, Record<string, unknown>>, runs: Record<string, Record<string, unknown>>): DeliveryVisibility {
  const service = new AuthService(loadAppConfig({ RUNHOOK_CONFIG: join(FIXTURE, 'langgraph.json'), DATABASE_URL: ':memory:' }, FIXTURE));
  service.install(auth);
  const threadStore = { get: async (id: string) => (threads[id] ? { thread_id: id, metadata: threads[id] } : null) } as unknown as ThreadsRepository;
  const runStore = { get: async (id: string) => (runs[id] ? { run_id: id, metadata: runs[id] } : null) } as unknown as RunsRepository;
  return new DeliveryVisibility(service, threadStore, runStore);
}

describe('DeliveryVisibility', () => {
  const sut = visibility({ 'thread-a': { owner: 'alice' }, 'thread-b': { owner: 'bob' } }, { 'run-gone-a': { owner: 'alice' }, 'run-gone-b': { owner: 'bob' } });

  it('lets everyone see everything outside a request (no caller)', async () => {
    expect(await sut.check()).toBeNull();
  });

  it("matches the thread's metadata, then the run's when the thread is gone, and hides a delivery with neither", async () => {
    const visible = await AuthContext.run(alice, () => sut.check());
    expect(visible).not.toBeNull();
    const sees = (thread_id: string | null, run_id: string) => (visible as NonNullable<typeof visible>)({ thread_id, run_id });
    expect(await sees('thread-a', 'run-1')).toBe(true);
    expect(await sees('thread-b', 'run-2')).toBe(false);
    expect(await sees('thread-deleted', 'run-gone-a')).toBe(true);
    expect(await sees(null, 'run-gone-b')).toBe(false);
    expect(await sees('thread-deleted', 'run-deleted')).toBe(false);
  });

  it('scans every page and keeps only the visible items', async () => {
    const visible = await AuthContext.run(alice, () => sut.check());
    const items = Array.from({ length: 2500 }, (_, index) => ({ thread_id: index % 2 === 0 ? 'thread-a' : 'thread-b', run_id: `run-${index}` }));
    const kept = await sut.scan(async (offset, limit) => items.slice(offset, offset + limit), visible as NonNullable<typeof visible>);
    expect(kept).toHaveLength(1250);
    expect(kept.every((item) => item.thread_id === 'thread-a')).toBe(true);
  });
});
