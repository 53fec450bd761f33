import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEsModule } from './graph-loader';

describe('isEsModule', () => {
  it("follows Node's rule: the extension first, then the nearest package.json type", () => {
    const root = mkdtempSync(join(tmpdir(), 'runhook-loader-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    mkdirSync(join(root, 'legacy', 'src'), { recursive: true });
    writeFileSync(join(root, 'legacy', 'package.json'), JSON.stringify({ name: 'legacy' }));
    expect(isEsModule(join(root, 'graph.ts'))).toBe(true);
    expect(isEsModule(join(root, 'graph.js'))).toBe(true);
    expect(isEsModule(join(root, 'graph.cts'))).toBe(false);
    expect(isEsModule(join(root, 'legacy', 'src', 'graph.ts'))).toBe(false);
    expect(isEsModule(join(root, 'legacy', 'src', 'graph.js'))).toBe(false);
    expect(isEsModule(join(root, 'legacy', 'src', 'graph.mts'))).toBe(true);
    expect(isEsModule(join(root, 'legacy', 'src', 'graph.mjs'))).toBe(true);
  });
});
