// Citizen → back office: citizens' messages from the tracking page ("Send a message or add evidence"), each delivered
// to the case's back office as an update. The messages go through the real form: a multipart POST with the CSRF cookie
// and token a browser holds after opening its tracking page.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import type { RequestSpec } from './load.ts';
import type { WebhookReceiver } from '../test/peers/webhook-receiver.ts';

/** Tracking links for the given cases: the hub keeps only their hashes, so the bench adds links it knows. */
export async function trackingLinksFor(db: pg.Client, processIds: string[]): Promise<string[]> {
  const tokens = processIds.map((id) => createHash('sha256').update(`bench-update-${id}`).digest('base64url'));
  const hashes = tokens.map((t) => createHash('sha256').update(t).digest());
  await db.query(`insert into tracking_tokens (hash, process_id) select h, p from unnest($1::bytea[], $2::uuid[]) as t(h, p) on conflict do nothing`, [
    hashes,
    processIds,
  ]);
  return tokens;
}

/** The CSRF cookies and token the hub gives a browser that opens a tracking page. */
export async function csrfOf(hubUrl: string, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await new Promise<http.IncomingMessage & { body: string }>((resolve, reject) => {
    http
      .get(`${hubUrl}/track/${token}`, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => resolve(Object.assign(r, { body })));
      })
      .on('error', reject);
  });
  const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
  const csrf = /[?&]_csrf=([A-Za-z0-9_-]+)/.exec(res.body)?.[1];
  if (res.statusCode !== 200 || !csrf || !cookies.length) throw new Error(`the tracking page gave no form (HTTP ${res.statusCode})`);
  return { cookie: cookies.join('; '), csrf };
}

/** One citizen's message to the case behind `token`, as the tracking page's form posts it. */
export function messageRequest(token: string, session: { cookie: string; csrf: string }, text: string): RequestSpec {
  const boundary = `bench${randomBytes(8).toString('hex')}`;
  return {
    method: 'POST',
    path: `/track/${token}/messages?_csrf=${session.csrf}`,
    headers: { cookie: session.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n${text}\r\n--${boundary}--\r\n`),
  };
}

/** Counts the updates the receiver has had since `from`, reading each request once (the wait polls every 20 ms). */
export function updateCounter(receiver: WebhookReceiver, from: number): () => number {
  let seen = from;
  let n = 0;
  return () => {
    for (const rs = receiver.requests; seen < rs.length; seen++) if (rs[seen]!.body.includes('"citizen.message"')) n++;
    return n;
  };
}

/** The updates the receiver has had since `from`, with each one's time from the citizen's message to its arrival. */
export function updatesSince(receiver: WebhookReceiver, from: number): { at: number; latency: number }[] {
  const out: { at: number; latency: number }[] = [];
  for (const r of receiver.requests.slice(from)) {
    if (!r.body.includes('"citizen.message"')) continue;
    const sentAt = Date.parse((JSON.parse(r.body) as { data: { message: { sentAt: string } } }).data.message.sentAt);
    out.push({ at: r.at, latency: r.at - sentAt });
  }
  return out;
}
