// Alloy calls us: a workflow "HTTP Request" action posts `{ "itemId": "…" }` to /connectors/{binding}/events with a
// secret header. The body only says which item changed; its state is read from Alloy itself, so a forged or stale body
// cannot set a state Alloy does not hold.
import { z } from 'zod';
import { isRetryableError, problem, readInboundJson, secretMatches, type ConnectorContext, type InboundRequest, type InboundResponse } from '@closeloop/sdk';
import type { AlloyClient } from './client.ts';
import type { AlloyConfig } from './config.ts';
import { applyItemState } from './states.ts';

export const alloyEventSchema = z.object({
  itemId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be an Alloy item id'),
});

export async function handleAlloyEvent(req: InboundRequest, ctx: ConnectorContext<AlloyConfig>, client: AlloyClient): Promise<InboundResponse> {
  const inbound = ctx.config.inbound;
  if (!inbound) return problem(404, 'Not found', 'This binding does not accept Alloy events (no inbound secret configured)');
  if (!secretMatches(req.headers[inbound.header.toLowerCase()], inbound.secret))
    return problem(401, 'Unauthorized', `Missing or wrong ${inbound.header} header`);
  const json = readInboundJson(req);
  if (!json.ok) return json.response;
  const parsed = alloyEventSchema.safeParse(json.value);
  if (!parsed.success)
    return problem(
      422,
      'Unprocessable content',
      `The event is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
    );
  let item;
  try {
    ({ item } = await client.getItem(parsed.data.itemId));
  } catch (err) {
    // Alloy is down or slow: ask the workflow to try again; the poll catches up in any case.
    if (isRetryableError(err)) return problem(503, 'Service unavailable', 'Alloy could not be reached to read the item', {}, { 'retry-after': '60' });
    return problem(404, 'Not found', `Alloy does not show item ${parsed.data.itemId} to this binding`);
  }
  const outcome = await applyItemState(item, ctx);
  // An item that is not one of ours (created by staff in Alloy) is acknowledged: Alloy's workflow has nothing to fix.
  return { status: 200, body: { itemId: item.itemId, matched: outcome.matched, applied: outcome.applied } };
}
