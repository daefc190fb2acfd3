// Structured JSON logs. Secrets and citizen answers never reach a log line: known paths are redacted as a safety net.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, role: string): Logger {
  return pino({
    level,
    base: { role, pid: process.pid },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'answers', '*.answers', 'token', '*.token', 'key', '*.key', 'secret', '*.secret', 'config.secret', 'config.apiKey'],
      censor: '[redacted]',
    },
  });
}
