// Idempotency-Key for POST/PATCH: the same key and body replay the first response with no second effect; the same key with
// another body is refused (422). The key row is inserted in the same transaction as the effect: a concurrent request with
// the same key waits on the row's unique index until the first commits, then replays it — one effect, whatever the timing.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { Database, Sql } from '../db/database.ts';
import { BadRequestError, ValidationError } from '../errors.ts';
import { claimIdempotencyKey, idempotencyKeyOf, recordIdempotentResponse } from './idempotency-repo.ts';

export interface IdempotentResult {
  status: number;
  body: unknown;
}

export async function idempotent(
  ctx: Context,
  db: Database,
  clientId: string,
  body: unknown,
  /** Runs in the key's transaction; without a key, in none of its own (the effect is atomic by itself). */
  effect: (t: Sql | undefined) => Promise<IdempotentResult>,
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
  const result = await db.transaction(async (t) => {
    const claimed = await claimIdempotencyKey(t, clientId, key, requestHash);
    if (!claimed) {
      const prior = await idempotencyKeyOf(t, clientId, key);
      if (prior!.request_hash !== requestHash) {
        throw new ValidationError('This Idempotency-Key was already used with a different request', [
          { field: 'Idempotency-Key', message: 'reused with another body' },
        ]);
      }
      ctx.set('Idempotent-Replayed', 'true');
      return { status: prior!.response_status, body: prior!.response_body };
    }
    const outcome = await effect(t);
    await recordIdempotentResponse(t, clientId, key, outcome.status, outcome.body);
    return outcome;
  });
  respond(ctx, result);
}

function respond(ctx: Context, result: IdempotentResult): void {
  ctx.status = result.status;
  if (result.body !== null && result.body !== undefined) ctx.body = result.body;
}
