// Structured JSON logs. Secrets and citizen answers never reach a log line: known paths are redacted as a safety net.
// Every line written while an HTTP request is handled carries its request id (`reqId`), through an AsyncLocalStorage.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Fields added to every log line written inside `logContext.run(fields, fn)` (the HTTP app puts the request id here). */
export const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Field names whose values are secrets, tokens or citizen data, redacted wherever they appear (up to three levels deep). */
const SENSITIVE = [
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'token',
  'apiKey',
  'api_key',
  'key',
  'secret',
  'password',
  'answers',
  'contact',
  'trackingUrl',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SENSITIVE.flatMap((name) => {
    const field = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
    const join = (prefix: string) => (field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`);
    return [field.startsWith('[') ? `${field}` : field, join('*'), join('*.*'), join('*.*.*')];
  }),
];

export function createLogger(level: string, role: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { role, pid: process.pid },
    mixin: () => logContext.getStore() ?? {},
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A URL path safe to log: long opaque segments (tracking tokens, keys) are replaced, ids kept short enough to be useful. */
export function safePath(path: string): string {
  return path
    .slice(0, 300)
    .split('/')
    .map((s) => (s.length >= 20 && /^[A-Za-z0-9_-]+$/.test(s) && !/^[0-9a-f-]{36}$/i.test(s) ? ':redacted' : s))
    .join('/');
}

/** What a job writes its lines through: the lines carry the job's own fields. */
export interface JobLog {
  info(fieldsOrMessage: object | string, message?: string): void;
  warn(fieldsOrMessage: object | string, message?: string): void;
}

/**
 * A child logger made only when a line is written at an enabled level. pino's child() serialises and redacts its
 * fields at once: a busy worker (a child per delivery and per message, at the default level warn) spent about 1% of its
 * CPU on children whose info lines were never written (issue 21).
 */
export function lazyChild(log: Logger, fields: Record<string, unknown>): JobLog {
  let child: Logger | undefined;
  const at =
    (level: 'info' | 'warn') =>
    (fieldsOrMessage: object | string, message?: string): void => {
      if (!log.isLevelEnabled(level)) return;
      child ??= log.child(fields);
      if (typeof fieldsOrMessage === 'string') child[level](fieldsOrMessage);
      else child[level](fieldsOrMessage, message);
    };
  return { info: at('info'), warn: at('warn') };
}
