// Shared steps of the citizen-replies tests: submit a noise case to the fixture council, read the tracking page's
// message form (its CSRF cookie and action) and post a message with files as a browser without JavaScript would.
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';

export const answers = {
  noiseType: 'music',
  description: 'Music every night',
  source: { line1: '12 High Street', postcode: 'EX1 2AB' },
  started: '2026-10-01',
  email: 'resident@example.com',
};

export async function submitNoise(t: TestHub): Promise<{ processId: string; reference: string; trackingUrl: string }> {
  const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string; trackingUrl: string };
}

export interface TrackingForm {
  html: string;
  /** The form's action (with its CSRF token), or null when the page has no form. */
  action: string | null;
  cookie: string;
}

export async function openTrackingPage(trackingUrl: string): Promise<TrackingForm> {
  const res = await fetch(trackingUrl);
  assert.equal(res.status, 200);
  const html = await res.text();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const action = /<form method="post" action="([^"]+)" enctype="multipart\/form-data"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;
  return { html, action, cookie };
}

export interface PostedFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/** Posts the form as a browser does (multipart, the CSRF cookie); answers the response unfollowed. */
export async function postMessage(base: string, form: TrackingForm, message: string, files: PostedFile[] = []): Promise<Response> {
  assert.ok(form.action, 'the page has a message form');
  const body = new FormData();
  body.append('message', message);
  for (const f of files) body.append('files', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  if (!files.length) body.append('files', new Blob([], { type: 'application/octet-stream' }), '');
  return fetch(new URL(form.action, base), { method: 'POST', body, headers: { cookie: form.cookie }, redirect: 'manual' });
}
