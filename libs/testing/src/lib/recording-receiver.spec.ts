import { startRecordingReceiver } from './recording-receiver';

describe('startRecordingReceiver', () => {
  it('records the raw body, the query and answers as told', async () => {
    const receiver = await startRecordingReceiver();
    receiver.respond = (_request, index) => ({ status: index === 0 ? 503 : 200 });
    try {
      const first = await fetch(`${receiver.url}/hook?token=a%2Bb`, { method: 'POST', body: '{"a": 1}' });
      const second = await fetch(`${receiver.url}/hook`, { method: 'POST', body: '{}' });
      expect([first.status, second.status]).toEqual([503, 200]);
      const [recorded] = await receiver.waitForCount(2);
      expect(recorded.url).toBe('/hook?token=a%2Bb');
      expect(recorded.body).toBe('{"a": 1}');
      expect(recorded.json).toEqual({ a: 1 });
    } finally {
      await receiver.stop();
    }
  });
});
