// A real OpenID provider for tests (oidc-provider, the certified provider by openid-client's author), on a loopback port.
// Its interaction endpoint signs in whichever test account `loginAs` names and grants consent at once, so a test drives a
// whole authorisation code flow with fetch. With `form: true` it asks instead, as a real provider does, with a plain HTML
// sign-in form (a username) and a consent form that a real browser submits. `tamper` rewrites the ID token the token endpoint answers with (claims
// changed, re-signed with the provider's own key or with another), to show what the relying party refuses; `rotateKey`
// publishes a new signing key and signs with it, as a provider rotating its keys does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import Provider from 'oidc-provider';

export interface TestAccount {
  /** Claims beyond sub, given for the scopes openid email profile (and in the ID token, as Entra ID and Keycloak do). */
  claims: Record<string, unknown>;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** Changes to the next ID tokens: the claims to set (undefined removes one), and whether to sign with a key the provider never published. */
export interface Tamper {
  claims: Record<string, unknown>;
  foreignKey?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  /** The account the next interaction signs in. */
  loginAs: string;
  /** Applied to ID tokens from the token endpoint while set. */
  tamper: Tamper | null;
  /** Key rotation: publishes a new key (under a new key id) in the JWKS and signs ID tokens with it from now on. */
  rotateKey(): void;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  accounts: Record<string, TestAccount>;
  clients: TestClient[];
  /** Ask in HTML forms (username, then consent) instead of signing `loginAs` in at once. */
  form?: boolean;
}): Promise<TestOidcProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `k-${randomBytes(4).toString('hex')}`;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const accountClaims = (id: string) => options.accounts[id]?.claims;
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      // Whatever claims the test accounts have (mail, display_name, groups, realm_access…) come with the profile scope.
      profile: [...new Set(['name', 'preferred_username', ...Object.values(options.accounts).flatMap((a) => Object.keys(a.claims))])].filter(
        (c) => c !== 'email' && c !== 'email_verified',
      ),
    },
    // Claims in the ID token itself (as the IdPs councils use put them), not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = accountClaims(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
    renderError: async (ctx: { type: string; body: unknown }, out: Record<string, unknown>) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  /** After a rotation: the key ID tokens are signed with, and the keys published besides the provider's own. */
  let signing: { key: KeyObject; kid: string } | null = null;
  const published: Record<string, unknown>[] = [];

  const peer: TestOidcProvider = {
    issuer,
    loginAs: Object.keys(options.accounts)[0] ?? '',
    tamper: null,
    rotateKey() {
      const { privateKey: key, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      signing = { key, kid: `k-${randomBytes(4).toString('hex')}` };
      published.push({ ...publicKey.export({ format: 'jwk' }), kid: signing.kid, alg: 'RS256', use: 'sig' });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  type Details = Awaited<ReturnType<typeof provider.interactionDetails>>;
  const consent = async (details: Details) => {
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details;
    if (Array.isArray(missing.missingOIDCScope)) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (Array.isArray(missing.missingOIDCClaims)) grant.addOIDCClaims(missing.missingOIDCClaims as string[]);
    return { consent: { grantId: await grant.save() } };
  };

  // The interaction: sign `loginAs` in, then grant what the client asked for.
  provider.use(async (ctx, next) => {
    if (options.form || ctx.method !== 'GET' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const result = details.prompt.name === 'login' ? { login: { accountId: peer.loginAs } } : await consent(details);
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: details.prompt.name !== 'login' }));
  });

  // The same in HTML forms a browser fills in and submits: a username, then "Allow".
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)(?:\/(login|consent))?$/.exec(ctx.path);
    if (!options.form || !match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const uid = encodeURIComponent(match[1]!);
    if (ctx.method === 'GET' && !match[2]) {
      ctx.type = 'html';
      ctx.body =
        details.prompt.name === 'login'
          ? formPage(
              'Sign in',
              `/interaction/${uid}/login`,
              '<label for="username">Username</label> <input id="username" name="username" autocomplete="username">',
              'Sign in',
            )
          : formPage('Allow access', `/interaction/${uid}/consent`, `<p>Closeloop asks to know who you are.</p>`, 'Allow');
      return;
    }
    if (ctx.method !== 'POST' || !match[2]) return next();
    const body = new URLSearchParams(await readBody(ctx.req));
    let result: Record<string, unknown>;
    if (match[2] === 'login') {
      const username = body.get('username') ?? '';
      if (!options.accounts[username]) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = formPage(
          'Sign in',
          `/interaction/${uid}/login`,
          '<p>No such account.</p><label for="username">Username</label> <input id="username" name="username">',
          'Sign in',
        );
        return;
      }
      result = { login: { accountId: username } };
    } else {
      result = await consent(details);
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: match[2] !== 'login' });
    ctx.status = 303;
    ctx.redirect(to);
  });

  // The tamper and the rotated key: the token endpoint's ID token, with claims changed and signed again.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/jwks' && published.length) {
      const body = ctx.body as { keys: unknown[] };
      ctx.body = { keys: [...published, ...body.keys] };
      return;
    }
    const body = ctx.body as { id_token?: string } | undefined;
    if ((!peer.tamper && !signing) || ctx.path !== '/token' || !body?.id_token) return;
    const [header, payload] = body.id_token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    const claims: Record<string, unknown> = { ...payload };
    for (const [name, value] of Object.entries(peer.tamper?.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const key = peer.tamper?.foreignKey ? foreign : (signing?.key ?? privateKey);
    ctx.body = { ...body, id_token: signJwt({ ...header, kid: signing?.kid ?? header!.kid }, claims, key) };
  });

  handler = provider.callback();
  return peer;
}

function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function formPage(title: string, action: string, fields: string, button: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title} – Test identity provider</title></head><body><main><h1>${title}</h1><form method="post" action="${action}">${fields} <button type="submit">${button}</button></form></main></body></html>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
