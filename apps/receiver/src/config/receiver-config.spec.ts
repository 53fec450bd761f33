import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SIGNING_SECRET, OTHER_SIGNING_SECRET } from '../../test/webhook-fixtures';
import { loadReceiverConfig, ReceiverConfigError } from './receiver-config';

describe('loadReceiverConfig', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'receiver-config-'));
  });

  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  function problemsFor(env: Record<string, string>): readonly string[] {
    try {
      loadReceiverConfig(env, cwd);
    } catch (error) {
      if (error instanceof ReceiverConfigError) {
        return error.problems;
      }
      throw error;
    }
    return [];
  }

  it('uses the defaults and creates the database folder', () => {
    const sut = loadReceiverConfig({}, cwd);
    expect(sut).toEqual({
      host: '127.0.0.1',
      port: 2025,
      webhookPath: '/webhooks',
      databasePath: join(cwd, '.runhook/receiver.sqlite'),
      token: undefined,
      readToken: undefined,
      signingSecrets: [],
      failFirst: 0,
    });
    expect(existsSync(join(cwd, '.runhook'))).toBe(true);
  });

  it('reads every variable', () => {
    const sut = loadReceiverConfig(
      {
        RECEIVER_HOST: '0.0.0.0',
        RECEIVER_PORT: '8080',
        RECEIVER_PATH: '/hooks/runhook/',
        RECEIVER_DB: 'data/inbox.sqlite',
        RECEIVER_TOKEN: 'tok',
        RECEIVER_READ_TOKEN: 'reader',
        RECEIVER_SIGNING_SECRETS: `${TEST_SIGNING_SECRET} ${OTHER_SIGNING_SECRET}`,
        RECEIVER_FAIL_FIRST: '2',
      },
      cwd,
    );
    expect(sut).toMatchObject({ host: '0.0.0.0', port: 8080, webhookPath: '/hooks/runhook', token: 'tok', readToken: 'reader', failFirst: 2 });
    expect(sut.databasePath).toBe(join(cwd, 'data/inbox.sqlite'));
    expect(sut.signingSecrets).toHaveLength(2);
  });

  it.each([
    [{ RECEIVER_PORT: 'http' }, 'RECEIVER_PORT: expected an integer from 0 to 65535, got "http"'],
    [{ RECEIVER_PORT: '70000' }, 'RECEIVER_PORT: expected an integer'],
    [{ RECEIVER_PORT: '80.5' }, 'RECEIVER_PORT: expected an integer'],
    [{ RECEIVER_FAIL_FIRST: '-1' }, 'RECEIVER_FAIL_FIRST: expected an integer'],
    [{ RECEIVER_PATH: 'webhooks' }, 'RECEIVER_PATH: expected a path'],
    [{ RECEIVER_PATH: '/hooks?x=1' }, 'RECEIVER_PATH: expected a path'],
    [{ RECEIVER_PATH: '/deliveries' }, "RECEIVER_PATH: /deliveries is one of the receiver's own routes"],
    [{ RECEIVER_TOKEN: '  ' }, 'RECEIVER_TOKEN: is set but empty'],
    [{ RECEIVER_SIGNING_SECRETS: '' }, 'RECEIVER_SIGNING_SECRETS: is set but empty'],
    [{ RECEIVER_SIGNING_SECRETS: 'whsec_%%%' }, 'RECEIVER_SIGNING_SECRETS: signing secret #1 of 1'],
  ])('refuses %j', (env, problem) => {
    expect(problemsFor(env)).toEqual([expect.stringContaining(problem)]);
  });

  it('reports every bad variable at once, without echoing secrets', () => {
    const problems = problemsFor({ RECEIVER_PORT: 'x', RECEIVER_FAIL_FIRST: 'y', RECEIVER_SIGNING_SECRETS: 'whsec_TopSecret!' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('TopSecret');
  });
});
