import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUiConfig } from './ui-config';

describe('parseUiConfig', () => {
  const project = mkdtempSync(join(tmpdir(), 'runhook-ui-config-'));
  mkdirSync(join(project, 'agent'));
  writeFileSync(join(project, 'agent/ui.tsx'), 'export default {};');

  it('resolves each ui entry against the folder of langgraph.json and reads ui_config.shared', () => {
    const ui = parseUiConfig({ ui: { 'agent-alias': './agent/ui.tsx' }, ui_config: { shared: ['zustand'] } }, project);
    expect(ui).toEqual({ projectDir: project, components: { 'agent-alias': join(project, 'agent/ui.tsx') }, shared: ['zustand'] });
  });

  it('means no components when the keys are absent', () => {
    expect(parseUiConfig({}, project)).toEqual({ projectDir: project, components: {}, shared: [] });
  });

  it.each([
    [{ ui: { a: './missing.tsx' } }, /ui\.a: file not found/],
    [{ ui: { a: '../elsewhere.tsx' } }, /ui\.a must be inside the project folder/],
    [{ ui: { a: 3 } }, /ui\.a must be a path/],
    [{ ui: ['./agent/ui.tsx'] }, /ui must be an object/],
    [{ ui_config: { shared: 'react' } }, /ui_config\.shared must be a list/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseUiConfig(raw, project)).toThrow(message);
  });
});
