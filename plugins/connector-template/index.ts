// A complete example connector to copy: it sends each delivery to a JSON "case API" (POST /cases) with a bearer token.
// Rename it, change the config schema and the request, keep the rules: send the delivery id as an idempotency key,
// throw PermanentError for what a retry cannot fix, RetryableError (or any other error) for the rest.
import { z } from 'zod';
import { defineConnector, PermanentError, RetryableError, type DeliveryJob } from '../../core/plugins/index.ts';

/** One binding's settings. Secrets arrive already resolved from `{ env: NAME }` in closeloop.yaml. */
export const configSchema = z.strictObject({
  baseUrl: z.url(),
  token: z.string().min(16, 'the API token looks too short'),
  /** The back office's queue or team for these cases. */
  queue: z.string().default('environmental-health'),
  timeoutMs: z.number().int().min(100).default(10_000),
});

type Config = z.infer<typeof configSchema>;

/** What this back office wants: a small JSON case, with the validated XML attached and links to the documents. */
function caseBody(job: DeliveryJob, config: Config) {
  return {
    externalId: job.deliveryId,
    queue: config.queue,
    reference: job.process.reference,
    service: job.process.serviceId,
    submittedAt: job.process.submittedAt,
    payloadXml: job.xml,
    attachments: job.documents.filter((d) => d.kind === 'evidence').map((d) => ({ name: d.name, type: d.contentType, url: d.url })),
  };
}

async function call(config: Config, path: string, init: RequestInit): Promise<Response> {
  return fetch(new URL(path, config.baseUrl), {
    ...init,
    headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(config.timeoutMs),
  });
}

export const connector = defineConnector<Config>({
  name: 'case-api-template',
  description: 'Template: JSON case API with a bearer token',
  configSchema,

  async deliver(job, ctx) {
    let res: Response;
    try {
      // The delivery id as Idempotency-Key: a retry after a lost response must not open a second case.
      res = await call(ctx.config, 'cases', { method: 'POST', headers: { 'idempotency-key': job.deliveryId }, body: JSON.stringify(caseBody(job, ctx.config)) });
    } catch (err) {
      throw new RetryableError(`case API unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (res.ok) {
      const id = (JSON.parse(text) as { id?: string }).id;
      return { externalRef: id, responseExcerpt: text.slice(0, 2000) };
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new RetryableError(`case API answered ${res.status}`, { responseExcerpt: text.slice(0, 2000), retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined });
    }
    throw new PermanentError(`case API refused the case: ${res.status}`, { responseExcerpt: text.slice(0, 2000) });
  },

  async check(ctx) {
    try {
      const res = await call(ctx.config, 'health', { method: 'GET' });
      if (res.status === 401 || res.status === 403) return { ok: false, problems: ['the API token was refused'] };
      if (!res.ok) return { ok: false, problems: [`the case API answered ${res.status}`] };
      return { ok: true, problems: [] };
    } catch (err) {
      return { ok: false, problems: [`the case API is unreachable: ${(err as Error).message}`] };
    }
  },
});
