import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = '.runhook-installed-lock';

function lockDigest(projectDir: string): string {
  return createHash('sha256').update(readFileSync(join(projectDir, 'package-lock.json'))).digest('hex');
}

/**
 * Installs a fixture project's own node_modules from its own lock (`npm ci`), unless they were already installed
 * from this very lock: a stamp in node_modules records the lock's digest. Quiet unless npm fails.
 */
export function ensureProjectInstalled(projectDir: string): void {
  const digest = lockDigest(projectDir);
  const stamp = join(projectDir, 'node_modules', STAMP);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: projectDir,
    encoding: 'utf8',
    // The fixture must resolve its own packages, whatever the surrounding test run configured for npm.
    env: { ...process.env, npm_config_workspaces: 'false', npm_config_production: 'false' },
    timeout: 300_000,
  });
  if (result.status !== 0) {
    throw new Error(`npm ci in ${projectDir} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  }
  writeFileSync(stamp, digest);
}
