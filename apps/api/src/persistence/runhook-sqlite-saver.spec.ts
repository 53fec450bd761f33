import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunhookSqliteSaver } from './runhook-sqlite-saver';
import { openSqlite } from './sqlite-database';

describe('RunhookSqliteSaver', () => {
  it('writes checkpoints and pending writes that the stock reads return unchanged', async () => {
    const db = openSqlite(join(mkdtempSync(join(tmpdir(), 'runhook-saver-')), 'store.sqlite'));
    const saver = new RunhookSqliteSaver(db).ensureTables();
    const first = { ...emptyCheckpoint(), id: '1ef00000-0000-6000-8000-000000000001', channel_values: { messages: ['a'] } };
    const saved = await saver.put({ configurable: { thread_id: 't1', checkpoint_ns: '' } }, first, { source: 'input', step: -1, parents: {} });
    expect(saved).toEqual({ configurable: { thread_id: 't1', checkpoint_ns: '', checkpoint_id: first.id } });
    const second = { ...emptyCheckpoint(), id: '1ef00000-0000-6000-8000-000000000002', channel_values: { messages: ['a', 'b'] } };
    await saver.put(saved, second, { source: 'loop', step: 0, parents: {} });
    await saver.putWrites({ configurable: { thread_id: 't1', checkpoint_ns: '', checkpoint_id: second.id } }, [['messages', 'c']], 'task-1');

    const latest = await saver.getTuple({ configurable: { thread_id: 't1' } });
    expect(latest?.checkpoint.channel_values).toEqual({ messages: ['a', 'b'] });
    expect(latest?.parentConfig?.configurable?.['checkpoint_id']).toBe(first.id);
    expect(latest?.metadata).toEqual({ thread_id: 't1', source: 'loop', step: 0, parents: {} });
    expect(latest?.pendingWrites).toEqual([['task-1', 'messages', 'c']]);
    const history = [];
    for await (const tuple of saver.list({ configurable: { thread_id: 't1' } })) history.push(tuple.checkpoint.id);
    expect(history).toEqual([second.id, first.id]);
    db.close();
  });

  it('hands the official saver statements compiled once, and still writes through the same connection', async () => {
    const db = openSqlite(join(mkdtempSync(join(tmpdir(), 'runhook-saver-')), 'store.sqlite'));
    const saver = new RunhookSqliteSaver(db).ensureTables();
    const prepare = jest.spyOn(db, 'prepare');
    for (let step = 0; step < 20; step += 1) {
      const checkpoint = { ...emptyCheckpoint(), id: `1ef00000-0000-6000-8000-${String(step).padStart(12, '0')}` };
      const saved = await saver.put({ configurable: { thread_id: 't1', checkpoint_ns: '' } }, checkpoint, { source: 'loop', step, parents: {} });
      await saver.putWrites(saved, [['messages', step]], 'task-1');
    }
    // One INSERT for checkpoints, one for writes: not one per call.
    expect(prepare).toHaveBeenCalledTimes(2);
    expect((db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get() as { n: number }).n).toBe(20);
    db.close();
  });

  it('refuses a config without a thread id', async () => {
    const db = openSqlite(join(mkdtempSync(join(tmpdir(), 'runhook-saver-')), 'store.sqlite'));
    const saver = new RunhookSqliteSaver(db).ensureTables();
    await expect(saver.put({ configurable: {} }, emptyCheckpoint(), { source: 'input', step: -1, parents: {} })).rejects.toThrow(/thread_id/);
    db.close();
  });
});
