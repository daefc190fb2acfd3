// A faithful fake of GOV.UK Notify's API v2: verifies the client's JWT as Notify does (HS256 with the key's secret,
// iss = service id, iat within 30 s), validates the payload against the template's placeholders, answers in Notify's
// shapes, records what it accepted, and can post delivery receipts back like Notify's callbacks.
import http from 'node:http';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeTemplate {
  id: string;
  type: 'email' | 'sms';
  placeholders: string[];
}

export interface AcceptedNotification {
  id: string;
  type: 'email' | 'sms';
  to: string;
  templateId: string;
  personalisation: Record<string, string>;
  reference?: string;
  jwtClaims: Record<string, unknown>;
}

export interface FakeNotify {
  url: string;
  serviceId: string;
  apiKey: string;
  accepted: AcceptedNotification[];
  rejected: { status: number; body: unknown }[];
  failNext(n: number, status: number): void;
  sendReceipt(callbackUrl: string, token: string, n: AcceptedNotification, status: string): Promise<Response>;
  close(): Promise<void>;
}

function notifyError(res: http.ServerResponse, status: number, error: string, message: string, rejected: FakeNotify['rejected']) {
  const body = { status_code: status, errors: [{ error, message }] };
  rejected.push({ status, body });
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function verifyJwt(token: string, secret: string, serviceId: string): Record<string, unknown> | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'Invalid token: not a JWT';
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; typ?: string };
  if (header.alg !== 'HS256') return 'Invalid token: algorithm used is not HS256';
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'Invalid token: signature, api token not found';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  if (claims.iss !== serviceId) return 'Invalid token: service not found';
  if (typeof claims.iat !== 'number' || Math.abs(Date.now() / 1000 - claims.iat) > 30) return 'Error: Your system clock must be accurate to within 30 seconds';
  return claims;
}

export async function startFakeNotify(templates: FakeTemplate[]): Promise<FakeNotify> {
  const serviceId = randomUUID();
  const secret = randomUUID();
  const apiKey = `closeloop_test-${serviceId}-${secret}`;
  const accepted: AcceptedNotification[] = [];
  const rejected: FakeNotify['rejected'] = [];
  let failures = { n: 0, status: 500 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      if (!auth.startsWith('Bearer ')) return notifyError(res, 401, 'AuthError', 'Unauthorized: authentication token must be provided', rejected);
      const claims = verifyJwt(auth.slice(7), secret, serviceId);
      if (typeof claims === 'string') return notifyError(res, 403, 'AuthError', claims, rejected);
      const type = req.url === '/v2/notifications/email' ? 'email' : req.url === '/v2/notifications/sms' ? 'sms' : null;
      if (req.method !== 'POST' || !type) return notifyError(res, 404, 'NotFound', 'Not found', rejected);
      if (failures.n > 0) {
        failures.n--;
        return notifyError(res, failures.status, failures.status === 429 ? 'RateLimitError' : 'Exception', 'Internal server error', rejected);
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return notifyError(res, 400, 'BadRequestError', 'Invalid JSON', rejected);
      }
      const template = templates.find((t) => t.id === body.template_id);
      if (!template || template.type !== type) return notifyError(res, 400, 'BadRequestError', 'Template not found', rejected);
      const to = String(type === 'email' ? (body.email_address ?? '') : (body.phone_number ?? ''));
      if (type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to))
        return notifyError(res, 400, 'ValidationError', 'email_address Not a valid email address', rejected);
      if (type === 'sms' && !/^\+?[\d ()-]{7,20}$/.test(to)) return notifyError(res, 400, 'ValidationError', 'phone_number Not a UK mobile number', rejected);
      const personalisation = (body.personalisation ?? {}) as Record<string, string>;
      const missing = template.placeholders.filter((p) => personalisation[p] === undefined);
      if (missing.length) return notifyError(res, 400, 'BadRequestError', `Missing personalisation: ${missing.join(', ')}`, rejected);
      const id = randomUUID();
      accepted.push({ id, type, to, templateId: template.id, personalisation, reference: body.reference as string | undefined, jwtClaims: claims });
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          reference: body.reference ?? null,
          content:
            type === 'email'
              ? { subject: 'Update', body: personalisation.update ?? '', from_email: 'council@notifications.service.gov.uk' }
              : { body: personalisation.update ?? '', from_number: 'COUNCIL' },
          uri: `${url}/v2/notifications/${id}`,
          template: { id: template.id, version: 1, uri: `${url}/services/${serviceId}/templates/${template.id}` },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    serviceId,
    apiKey,
    accepted,
    rejected,
    failNext(n, status) {
      failures = { n, status };
    },
    sendReceipt(callbackUrl, token, n, status) {
      return fetch(callbackUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: n.id,
          reference: n.reference,
          to: n.to,
          status,
          created_at: new Date().toISOString(),
          completed_at: new Date().toISOString(),
          sent_at: new Date().toISOString(),
          notification_type: n.type,
          template_id: n.templateId,
          template_version: 1,
        }),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
