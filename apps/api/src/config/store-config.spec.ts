import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { parseStoreConfig } from './store-config';

const FIXTURE_DIR = join(__dirname, '../../test/fixtures/store');

describe('parseStoreConfig', () => {
  it('has the documented defaults', () => {
    expect(parseStoreConfig(undefined, FIXTURE_DIR)).toEqual({
      ttl: { defaultTtlMinutes: null, refreshOnRead: true, sweepIntervalMinutes: 60 },
      index: null,
    });
  });

  it('reads ttl and an index whose embed is a module export, relative to langgraph.json', () => {
    const settings = parseStoreConfig(
      { ttl: { default_ttl: 30, refresh_on_read: false, sweep_interval_minutes: 5 }, index: { dims: 4, embed: './embed.ts:embed' } },
      FIXTURE_DIR,
    );
    expect(settings.ttl).toEqual({ defaultTtlMinutes: 30, refreshOnRead: false, sweepIntervalMinutes: 5 });
    expect(settings.index).toEqual({ dims: 4, fields: ['$'], embed: { kind: 'module', modulePath: join(FIXTURE_DIR, 'embed.ts'), exportName: 'embed' } });
  });

  it.each([
    [{ ttl: { default_ttl: -1 } }, /store\.ttl\.default_ttl must be a positive number/],
    [{ ttl: { refresh_on_read: 'yes' } }, /store\.ttl\.refresh_on_read must be true or false/],
    [{ index: { dims: 0, embed: './embed.ts:embed' } }, /store\.index\.dims must be a positive integer/],
    [{ index: { dims: 4, embed: './embed.ts:embed', fields: [] } }, /store\.index\.fields/],
    [{ index: { dims: 4, embed: './missing.ts:embed' } }, /store\.index\.embed: file not found/],
    [{ index: { dims: 4, embed: 'nosuch:model' } }, /unknown provider "nosuch"/],
  ])('refuses %j at start', (store, message) => {
    expect(() => parseStoreConfig(store, FIXTURE_DIR)).toThrow(ConfigError);
    expect(() => parseStoreConfig(store, FIXTURE_DIR)).toThrow(message);
  });

  it('names the provider package a project lacks, at start rather than at the first put', () => {
    const project = mkdtempSync(join(tmpdir(), 'runhook-no-openai-'));
    try {
      expect(() => parseStoreConfig({ index: { dims: 1536, embed: 'openai:text-embedding-3-small' } }, project)).toThrow(
        'store.index.embed "openai:text-embedding-3-small" needs @langchain/openai installed in the project (npm install @langchain/openai)',
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
