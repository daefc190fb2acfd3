// Idempotency-Key for POST/PATCH: the same key and body replay the first response with no second effect; the same key with
// another body is refused (422). The key row is inserted in the same transaction as the effect: a concurrent request with
// the same key waits on the row's unique index until the first commits, then replays it — one effect, whatever the timing.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { BadRequestError, ValidationError } from '../errors.ts';

export interface IdempotentResult {
  status: number;
  body: unknown;
}

export async function idempotent(
  ctx: Context,
  sequelize: Sequelize,
  clientId: string,
  body: unknown,
  /** Runs in the key's transaction; without a key, in none of its own (the effect is atomic by itself). */
  effect: (t: Transaction | undefined) => Promise<IdempotentResult>,
): Promise<void> {
  const key = ctx.get('idempotency-key');
  if (!key) {
    const result = await effect(undefined);
    respond(ctx, result);
    return;
  }
  if (key.length > 200) throw new BadRequestError('Idempotency-Key must be at most 200 characters');
  const requestHash = createHash('sha256')
    .update(`${ctx.method} ${ctx.path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
  const result = await sequelize.transaction(async (t) => {
    const claimed = await sequelize.query(
      `insert into idempotency_keys (client_id, key, request_hash, response_status) values ($1, $2, $3, 0)
       on conflict do nothing returning 1`,
      { bind: [clientId, key, requestHash], type: QueryTypes.SELECT, transaction: t },
    );
    if (claimed.length === 0) {
      const [prior] = await sequelize.query<{ request_hash: string; response_status: number; response_body: unknown }>(
        'select request_hash, response_status, response_body from idempotency_keys where client_id = $1 and key = $2',
        { bind: [clientId, key], type: QueryTypes.SELECT, transaction: t },
      );
      if (prior!.request_hash !== requestHash) {
        throw new ValidationError('This Idempotency-Key was already used with a different request', [
          { field: 'Idempotency-Key', message: 'reused with another body' },
        ]);
      }
      ctx.set('Idempotent-Replayed', 'true');
      return { status: prior!.response_status, body: prior!.response_body };
    }
    const outcome = await effect(t);
    await sequelize.query('update idempotency_keys set response_status = $3, response_body = $4::jsonb where client_id = $1 and key = $2', {
      bind: [clientId, key, outcome.status, JSON.stringify(outcome.body ?? null)],
      transaction: t,
    });
    return outcome;
  });
  respond(ctx, result);
}

function respond(ctx: Context, result: IdempotentResult): void {
  ctx.status = result.status;
  if (result.body !== null && result.body !== undefined) ctx.body = result.body;
}
