/** One step of a field path: a key, an array position (negative counts from the end), or every element. */
type Step = { key: string } | { index: number } | { every: true };

function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[[^\]]*\])*)$/.exec(part);
    if (!match) return [];
    if (match[1]) steps.push({ key: match[1] });
    for (const bracket of (match[2] ?? '').match(/\[[^\]]*\]/g) ?? []) {
      const inner = bracket.slice(1, -1);
      steps.push(inner === '*' ? { every: true } : { index: Number.parseInt(inner, 10) });
    }
  }
  return steps;
}

function leafText(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [JSON.stringify(value)];
}

function walk(value: unknown, steps: Step[], position: number): string[] {
  if (position === steps.length) return leafText(value);
  const step = steps[position] as Step;
  if ('key' in step) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    return walk((value as Record<string, unknown>)[step.key], steps, position + 1);
  }
  if (!Array.isArray(value)) return [];
  if ('every' in step) return value.flatMap((element) => walk(element, steps, position + 1));
  const index = step.index < 0 ? value.length + step.index : step.index;
  return Number.isNaN(index) ? [] : walk(value[index], steps, position + 1);
}

/**
 * The texts to embed at a `store.index.fields` path, as LangGraph's stores read them: `$` is the whole value as
 * JSON, `a.b` a nested field, `list[0]` / `list[-1]` one element, `list[*].text` every element's field; numbers
 * and booleans become text and objects JSON.
 */
export function textsAtPath(value: Record<string, unknown>, path: string): string[] {
  if (path === '$') return [JSON.stringify(value)];
  return walk(value, parsePath(path), 0);
}
