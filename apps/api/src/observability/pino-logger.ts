import type { LoggerService } from '@nestjs/common';
import { redactCredentials } from '@runhook/webhooks';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogSettings } from '../config/log-config';
import { redactFields } from './redact-fields';

/** Nest's own start-up chatter (every module and route) is detail, not news: it goes out at debug. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

function redactText(value: unknown): unknown {
  return typeof value === 'string' ? redactCredentials(value) : value;
}

/**
 * Where JSON lines go: written asynchronously, so a slow log pipe never holds up a request; pino writes what is
 * still queued synchronously when the process exits. Gathering lines into 4 KB writes (flushed every 50 ms) was
 * tried and dropped: side by side it sent no more webhooks and served 5 to 25% fewer runs.
 */
export function jsonDestination(fd = 1): DestinationStream {
  return pino.destination({ dest: fd, sync: false });
}

/** The process's root pino logger: JSON lines on stdout, or pino-pretty's coloured lines on a terminal. */
export function createRootLogger(settings: LogSettings, destination?: DestinationStream): Pino {
  const stream = destination ?? (settings.format === 'pretty' ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l' }) : jsonDestination());
  return pino(
    {
      level: settings.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers: readable without a lookup table, and what collectors map best.
      // Secret fields and headers are hidden in every log object; text goes through redactCredentials below.
      formatters: { level: (label) => ({ level: label }), log: redactFields },
      hooks: {
        // Messages are free text built from URLs and driver errors: a token in them is hidden before writing.
        logMethod(args, method) {
          method.apply(this, args.map(redactText) as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

type Fields = Record<string, unknown>;

const MAX_CONTEXT_LOGGERS = 1_000;

/**
 * Nest's LoggerService over pino, so `new Logger(context)` everywhere (and the graphs' `getLogger()`, which
 * goes through it) writes structured lines. A message may be an object: its fields become the line's fields
 * (`{msg, run_id, thread_id, ...}`), which is how run, delivery and firing events carry their ids.
 */
export class PinoLoggerService implements LoggerService {
  private readonly children = new Map<string, Pino>();

  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context } = this.split(params);
    this.write(context !== undefined && CHATTY_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  /** Nest passes the logger's context as the last parameter; `error` may pass a stack before it. */
  private split(params: unknown[]): { context?: string; rest: unknown[] } {
    const last = params[params.length - 1];
    if (typeof last === 'string') return { context: last, rest: params.slice(0, -1) };
    return { rest: params };
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, params: unknown[], mayHaveStack = false): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const { context, rest } = this.split(params);
    const stack = mayHaveStack ? rest.find((item) => typeof item === 'string') : undefined;
    const extra: Fields | null = typeof stack === 'string' && stack.length > 0 ? { stack: redactCredentials(stack) } : null;
    if (message instanceof Error) {
      this.loggerFor(context)[level]({ ...extra, err: message }, redactCredentials(message.message));
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...fields } = message as Fields;
      const text = typeof msg === 'string' ? msg : '';
      // A message that names its own context keeps it, as a field of the line, in place of the logger's.
      if ('context' in fields) this.pino[level]({ ...extra, ...fields }, text);
      else this.loggerFor(context)[level](extra ? { ...extra, ...fields } : fields, text);
    } else {
      this.loggerFor(context)[level](extra ?? {}, String(message));
    }
  }

  /**
   * A child logger per context, its `context` field serialized once: merging the context into every line's object
   * made a line cost four times as much (15 against 3.5 µs in a loop), and a line per webhook attempt made that
   * count. Contexts are class names and graph ids; past a bound, a line gets a child that is not kept.
   */
  private loggerFor(context: string | undefined): Pino {
    if (context === undefined) return this.pino;
    let child = this.children.get(context);
    if (!child) {
      if (this.children.size >= MAX_CONTEXT_LOGGERS) return this.pino.child({ context });
      child = this.pino.child({ context });
      this.children.set(context, child);
    }
    return child;
  }
}
