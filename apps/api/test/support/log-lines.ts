/** One line of the server's JSON log (LOG_FORMAT=json, the default when stdout is not a terminal). */
export type LogLine = Record<string, unknown> & { level: string; msg: string; context?: string };

/** The JSON lines of a server's output; anything else it printed (a stack from a crash) is left out. */
export function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of output.split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // A line cut at the capture buffer's edge.
    }
  }
  return lines;
}
