// GOV.UK Notify delivery receipts: { id, reference, to, status, created_at, completed_at, sent_at, notification_type }.
import { z } from 'zod';
import { problem, readInboundJson, type ChannelContext, type InboundRequest, type InboundResponse } from '@closeloop/sdk';
import type { NotifyConfig } from './config.ts';

const receiptSchema = z.object({
  id: z.string(),
  reference: z.string().nullable().optional(),
  status: z.enum(['delivered', 'permanent-failure', 'temporary-failure', 'technical-failure', 'sending', 'created', 'pending']),
  notification_type: z.enum(['email', 'sms', 'letter']).optional(),
  to: z.string().optional(),
  created_at: z.string().optional(),
  completed_at: z.string().nullable().optional(),
  sent_at: z.string().nullable().optional(),
});

export async function handleReceipt(req: InboundRequest, ctx: ChannelContext<NotifyConfig>): Promise<InboundResponse> {
  const body = readInboundJson(req);
  if (!body.ok) return body.response;
  const parsed = receiptSchema.safeParse(body.value);
  if (!parsed.success || !parsed.data.reference) {
    return problem(400, 'Bad request', 'Not a Notify delivery receipt with a reference');
  }
  const { status, reference } = parsed.data;
  if (status === 'delivered' || status === 'permanent-failure' || status === 'temporary-failure' || status === 'technical-failure') {
    await ctx.recordReceipt(reference, status, { id: parsed.data.id, type: parsed.data.notification_type });
  }
  return { status: 204 };
}
