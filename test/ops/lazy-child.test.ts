// A job's logger (core/log.ts lazyChild): its lines carry the job's fields, and at a level that writes none of them no
// pino child is made (making one serialises and redacts the fields: CPU a busy worker spent on lines never written).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, lazyChild } from '../../core/log.ts';

function logger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const log = createLogger(level, 'worker', stream);
  let children = 0;
  const child = log.child.bind(log);
  log.child = ((...args: Parameters<typeof log.child>) => {
    children++;
    return child(...args);
  }) as typeof log.child;
  return { log, lines, children: () => children };
}

describe('a job logger made only when it writes', () => {
  test('at level info its lines carry the job fields, redacted as every line is, and one child serves them all', () => {
    const { log, lines, children } = logger('info');
    const jobLog = lazyChild(log, { deliveryId: 'd-1', binding: 'sandbox', contact: { email: 'x@example.com' } });
    jobLog.info({ externalRef: 'BO-1' }, 'delivered');
    jobLog.warn('delivery dead');
    assert.equal(children(), 1);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.deliveryId, l.binding, l.contact, l.externalRef]),
      [
        ['delivered', 'd-1', 'sandbox', '[redacted]', 'BO-1'],
        ['delivery dead', 'd-1', 'sandbox', '[redacted]', undefined],
      ],
    );
  });

  test('at level warn an info line makes no child and writes nothing; a warning still carries the fields', () => {
    const { log, lines, children } = logger('warn');
    const jobLog = lazyChild(log, { notificationId: 'n-1', channel: 'email' });
    jobLog.info('notification sent');
    assert.equal(children(), 0);
    assert.equal(lines.length, 0);
    jobLog.warn({ err: 'SMTP refused' }, 'notification failed');
    assert.equal(children(), 1);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.notificationId, l.channel, l.err, l.level]),
      [['notification failed', 'n-1', 'email', 'SMTP refused', 40]],
    );
  });
});
