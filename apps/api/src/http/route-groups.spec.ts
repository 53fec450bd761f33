import { routeGroupOf, stripMountPrefix } from './route-groups';

describe('routeGroupOf', () => {
  it.each([
    ['/assistants', 'assistants'],
    ['/assistants/search', 'assistants'],
    ['/Assistants/abc/schemas?x=1', 'assistants'],
    ['/threads', 'threads'],
    ['/threads/search', 'threads'],
    ['/threads/prune', 'threads'],
    ['/threads/abc/state', 'threads'],
    ['/threads/abc/history', 'threads'],
    ['/threads/abc/stream', 'threads'],
    ['/threads/abc/runs', 'runs'],
    ['/threads/abc/runs/xyz/stream', 'runs'],
    ['/threads/abc/runs/crons', 'runs'],
    ['/threads/abc/commands', 'runs'],
    ['/threads/abc/stream/events', 'runs'],
    ['/runs', 'runs'],
    ['/runs/wait', 'runs'],
    ['/runs/crons/search', 'runs'],
    ['//runs/stream', 'runs'],
    ['/store/items', 'store'],
    ['/store/namespaces', 'store'],
    ['/ui/agent', 'ui'],
    ['/ui/agent/entrypoint.js', 'ui'],
    ['/info', 'meta'],
    ['/docs', 'meta'],
    ['/docs/swagger-ui.css', 'meta'],
    ['/openapi.json', 'meta'],
    ['/metrics', 'meta'],
    ['/ok', null],
    ['/webhooks/deliveries', null],
    ['/custom/route', null],
    ['/', null],
    ['/assistantsx', null],
  ])('%s belongs to %s', (path, group) => {
    expect(routeGroupOf(path)).toBe(group);
  });
});

describe('stripMountPrefix', () => {
  it('takes the prefix off paths under it and refuses the others', () => {
    expect(stripMountPrefix('/api/threads?limit=1', '/api')).toBe('/threads?limit=1');
    expect(stripMountPrefix('/api', '/api')).toBe('/');
    expect(stripMountPrefix('/api?x=1', '/api')).toBe('/?x=1');
    expect(stripMountPrefix('/API/ok', '/api')).toBe('/ok');
    expect(stripMountPrefix('/apix/threads', '/api')).toBeNull();
    expect(stripMountPrefix('/threads', '/api')).toBeNull();
    expect(stripMountPrefix('/threads', '')).toBe('/threads');
  });
});
