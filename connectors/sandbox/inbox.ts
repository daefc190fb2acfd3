// The sandbox's inbox: deliveries signed with the binding's secret, from anywhere (the worker that delivers may run on
// another machine or come in through a proxy). XML with a DOCTYPE or ENTITY is refused before parsing. A webhook-id
// seen before gets the reference it got the first time.
import { problem, verifyWebhook, WebhookVerificationError, type InboundRequest, type InboundResponse, type PluginDatabase } from '@closeloop/sdk';
import { parseXmlSafely, UnsafeXmlError } from '@closeloop/sdk/xml';
import { keepReceived } from './inbox-repo.ts';

/** A delivery larger than this is refused (413). */
export const INBOX_LIMIT_BYTES = 5 * 1024 * 1024;

export async function receive(req: InboundRequest, secret: string, db: () => PluginDatabase): Promise<InboundResponse> {
  let id: string;
  try {
    id = verifyWebhook(secret, req.headers, req.rawBody);
  } catch (err) {
    if (err instanceof WebhookVerificationError) return problem(401, 'Unauthorized', err.message);
    throw err;
  }
  let reference: string;
  try {
    const node = parseXmlSafely(req.rawBody).get('//*[local-name()="Reference"]') as { text(): string } | null;
    reference = node?.text() ?? '';
  } catch (err) {
    // A DOCTYPE or ENTITY is refused before parsing (no XXE, no entity bombs): well-formed but unacceptable, 422.
    if (err instanceof UnsafeXmlError) return problem(422, 'Unprocessable content', err.message);
    return problem(400, 'Bad request', 'The sandbox accepts XML deliveries');
  }
  const seq = await keepReceived(db(), id, reference, req.rawBody.toString('utf8'));
  const ref = `SBX-${seq}`;
  return { status: 202, headers: { 'x-sandbox-reference': ref }, body: { received: true, reference: ref } };
}
