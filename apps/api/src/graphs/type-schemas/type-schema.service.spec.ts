import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { TypeSchemaService } from './type-schema.service';

const FIXTURES = join(__dirname, 'testing');
const COMPILE_TIMEOUT_MS = 180_000;

describe('TypeSchemaService', () => {
  let service: TypeSchemaService;
  let warnings: jest.SpyInstance;

  beforeEach(() => {
    service = new TypeSchemaService();
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    warnings.mockRestore();
    await service.onApplicationShutdown();
  });

  it(
    'extracts in a worker thread once per graph and keeps the answer',
    async () => {
      service.timeoutMs = COMPILE_TIMEOUT_MS - 10_000;
      const spec = { modulePath: join(FIXTURES, 'typed-subgraph.ts'), exportName: 'reviewer' };
      const first = service.schemasOf('reviewer', spec);
      expect(service.schemasOf('reviewer', spec)).toBe(first);
      await expect(first).resolves.toMatchObject({ '': { state: { properties: { score: { type: 'number' } } }, config: null } });
      expect(warnings).not.toHaveBeenCalled();
    },
    COMPILE_TIMEOUT_MS,
  );

  it('answers null and says why when the extraction fails, and does not retry it', async () => {
    const spec = { modulePath: join(FIXTURES, 'no-such-graph.ts'), exportName: 'graph' };
    await expect(service.schemasOf('missing', spec)).resolves.toBeNull();
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/graph "missing" \(.*no-such-graph\.ts:graph\).*cannot read/));
    await expect(service.schemasOf('missing', spec)).resolves.toBeNull();
    expect(warnings).toHaveBeenCalledTimes(1);
  }, COMPILE_TIMEOUT_MS);

  it('stops the worker at the timeout and answers null', async () => {
    service.timeoutMs = 1;
    await expect(service.schemasOf('slow', { modulePath: join(FIXTURES, 'typed-graph.ts'), exportName: 'graph' })).resolves.toBeNull();
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/graph "slow" .* timed out after 1 ms/));
  });
});
