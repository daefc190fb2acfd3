// A complete example connector to copy: it sends each delivery to a JSON "case API" (POST {baseUrl}/cases) with a bearer
// token. Rename it, change the config schema and the request, keep the rules: send the delivery id as an idempotency
// key, throw PermanentError for what a retry cannot fix, RetryableError (or any other error) for the rest. It imports
// only @closeloop/sdk, npm packages and its own files: copied out of this repository, it works as it is.
import { z } from 'zod';
import { defineConnector, errorForStatus, responseExcerpt, RetryableError, type DeliveryJob } from '@closeloop/sdk';

/** One binding's settings. Secrets arrive already resolved from `{ env: NAME }` in closeloop.yaml. */
export const configSchema = z.strictObject({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => u.endsWith('/'), 'must end with "/"')
    .describe("The API's base URL; cases and health are resolved against it, so end it with a slash"),
  token: z.string().min(16, 'the API token looks too short').describe('Its bearer token ({ env: NAME })'),
  queue: z.string().default('environmental-health').describe("The back office's queue or team for these cases"),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe('Per request'),
});

export type Config = z.infer<typeof configSchema>;

/** What this back office wants: a small JSON case, with the validated XML attached and links to the documents. */
function caseBody(job: DeliveryJob, config: Config) {
  return {
    externalId: job.deliveryId,
    queue: config.queue,
    reference: job.process.reference,
    service: job.process.serviceId,
    submittedAt: job.process.submittedAt,
    payloadXml: job.xml,
    attachments: job.documents
      .filter((d) => d.kind === 'evidence')
      .map((d) => ({ name: d.name, type: d.contentType, size: d.size, sha256: d.sha256, url: d.url })),
  };
}

/** One call to the API. Node's fetch keeps connections alive between calls; the timeout covers the whole exchange. */
async function call(
  config: Config,
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(new URL(path, config.baseUrl), {
    method: init.method,
    body: init.body,
    headers: {
      authorization: `Bearer ${config.token}`,
      accept: 'application/json',
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    signal: AbortSignal.timeout(config.timeoutMs),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export const connector = defineConnector<Config>({
  name: 'case-api-template',
  description: 'Template: JSON case API with a bearer token',
  configSchema,

  async deliver(job, ctx) {
    let res;
    try {
      // The delivery id as Idempotency-Key: a retry after a lost response must not open a second case.
      res = await call(ctx.config, 'cases', {
        method: 'POST',
        headers: { 'idempotency-key': job.deliveryId },
        body: JSON.stringify(caseBody(job, ctx.config)),
      });
    } catch (err) {
      // Timeouts, refused connections, resets: the back office may come back.
      throw new RetryableError(`case API unreachable: ${(err as Error).message}`, { cause: err });
    }
    const excerpt = responseExcerpt(res.text);
    if (res.status >= 200 && res.status < 300) {
      // The case exists now, whatever the body says: never throw here, or a replay would be needed for nothing.
      let id: unknown;
      try {
        id = (JSON.parse(res.text) as { id?: unknown }).id;
      } catch {
        id = undefined;
      }
      if (typeof id !== 'string') ctx.log.warn({ deliveryId: job.deliveryId, status: res.status }, 'case API answer has no case id');
      return { externalRef: typeof id === 'string' ? id : undefined, responseExcerpt: excerpt };
    }
    // 408, 429 and 5xx are retried (after Retry-After when given), any other status is permanent.
    throw errorForStatus(res.status, `case API answered ${res.status}`, { retryAfter: res.headers.get('retry-after'), responseExcerpt: excerpt });
  },

  async check(ctx) {
    try {
      const res = await call(ctx.config, 'health', { method: 'GET' });
      if (res.status === 401 || res.status === 403) return { ok: false, problems: [`token: the case API refused the token (${res.status})`] };
      if (res.status < 200 || res.status >= 300) return { ok: false, problems: [`baseUrl: the case API health check answered ${res.status}`] };
      return { ok: true, problems: [] };
    } catch (err) {
      return { ok: false, problems: [`baseUrl: the case API is unreachable: ${(err as Error).message}`] };
    }
  },
});
