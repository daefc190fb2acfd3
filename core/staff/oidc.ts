// Staff sign-in with a council's OpenID Connect provider, through openid-client (a certified relying party):
// authorisation code flow with PKCE (S256), state and nonce. openid-client checks the ID token's signature (keys from the
// provider's JWKS, kept five minutes and read again when a token names a key it has not seen, at most once a minute),
// its issuer, audience, expiry and nonce, the `iss` authorisation response parameter and the state; what the token's
// claims make of the person (name, e-mail, role) is oidc-claims.ts.
import * as client from 'openid-client';
import type { Config, StaffOidcConfig } from '../config/index.ts';
import { ConfigError } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { identityFromClaims, type StaffOidcIdentity } from './oidc-claims.ts';

export type { StaffOidcIdentity } from './oidc-claims.ts';

/** What beginSignIn made: where to send the browser, and what the callback must be checked against (keep it server-side). */
export interface BegunSignIn {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** What the callback is checked against. */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type SignInRefusalReason = 'not-verified' | 'no-email' | 'no-role' | 'groups-overage' | 'unavailable';

export type CompletedSignIn =
  | { ok: true; identity: StaffOidcIdentity }
  | {
      ok: false;
      reason: SignInRefusalReason;
      /** For the person: what went wrong, in plain words. */
      message: string;
      /** For the log: why (never shown: it may name the provider's internals). */
      detail: string;
    };

export interface StaffOidcOptions {
  /** Where client secrets (`clientSecret: { env: NAME }`) are read. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long a provider's discovery document is trusted before it is read again (it is read again after a failure too). */
  discoveryTtlMs?: number;
  /** Seconds to wait for the provider (discovery, token endpoint, JWKS). */
  timeoutSeconds?: number;
}

const MESSAGES: Record<SignInRefusalReason, string> = {
  'not-verified': 'Your sign-in could not be checked. Go back to the sign-in page and try again.',
  'no-email': 'Your account at your organisation does not give an email address. Ask your IT team to add one.',
  'no-role': 'You do not have a role in this council’s staff console. Ask your council’s administrator to give you one.',
  'groups-overage': 'Your account is in too many groups for the sign-in to tell your role. Ask your IT team to send only the groups this service needs.',
  unavailable: 'Signing in is not working at the moment. Try again in a few minutes.',
};

/** Sign-in with each council's provider, discovery documents cached per council. */
export class StaffOidc {
  private readonly discovered = new Map<string, { at: number; configuration: Promise<client.Configuration> }>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly discoveryTtlMs: number;
  private readonly timeoutSeconds: number;

  constructor(
    private readonly hub: { config: Config; log: Logger },
    options: StaffOidcOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.discoveryTtlMs = options.discoveryTtlMs ?? 24 * 3600_000;
    this.timeoutSeconds = options.timeoutSeconds ?? 10;
  }

  /** Ids of the councils whose staff sign in with a provider. */
  councils(): string[] {
    const { config } = this.hub;
    return [config.council.id, ...Object.keys(config.councils)].filter((id) => this.settings(id));
  }

  /** The council's provider settings; undefined when it has none (or there is no such council). */
  settings(councilId: string): StaffOidcConfig | undefined {
    const { config } = this.hub;
    if (councilId === config.council.id) return config.council.staff?.oidc;
    return Object.hasOwn(config.councils, councilId) ? config.councils[councilId]!.staff?.oidc : undefined;
  }

  /** The redirect URI to register at the council's provider. */
  redirectUri(councilId: string): string {
    return `${this.hub.config.server.publicBaseUrl.replace(/\/+$/, '')}/staff/sign-in/${encodeURIComponent(councilId)}/oidc/callback`;
  }

  /** Starts a sign-in: the provider's authorisation URL, with fresh state, nonce and PKCE verifier. Throws if the provider cannot be reached. */
  async beginSignIn(councilId: string): Promise<BegunSignIn> {
    const settings = this.required(councilId);
    const configuration = await this.configuration(councilId, settings);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(councilId),
      response_type: 'code',
      scope: settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * Completes a sign-in from the provider's callback (the URL the browser came back to, on our public base URL): the
   * code is exchanged with the PKCE verifier, the ID token checked against the expected state and nonce, then the
   * person's role found in the council's role mapping.
   */
  async completeSignIn(councilId: string, callbackUrl: URL, checks: SignInChecks): Promise<CompletedSignIn> {
    const settings = this.required(councilId);
    let claims: Record<string, unknown>;
    try {
      const configuration = await this.configuration(councilId, settings);
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) return refuse('not-verified', 'the token response has no ID token');
      claims = idToken as Record<string, unknown>;
    } catch (err) {
      const checked = isCheckFailure(err);
      // A provider that moved or failed may have changed its endpoints, and a token signed with a key not in the cached
      // key set (openid-client reads the set again only after a minute) may mean rotated keys: start afresh next time.
      if (!checked || (err as { code?: unknown }).code === 'OAUTH_KEY_SELECTION_FAILED') this.discovered.delete(councilId);
      return refuse(checked ? 'not-verified' : 'unavailable', describe(err));
    }
    const outcome = identityFromClaims(claims, settings, councilId);
    return outcome.ok ? outcome : refuse(outcome.reason, outcome.detail);
  }

  private required(councilId: string): StaffOidcConfig {
    const settings = this.settings(councilId);
    if (!settings) throw new Error(`council ${councilId} has no staff.oidc provider`);
    return settings;
  }

  private configuration(councilId: string, settings: StaffOidcConfig): Promise<client.Configuration> {
    const cached = this.discovered.get(councilId);
    if (cached && Date.now() - cached.at < this.discoveryTtlMs) return cached.configuration;
    const configuration = this.discover(councilId, settings);
    this.discovered.set(councilId, { at: Date.now(), configuration });
    // A failed discovery is not kept: the next sign-in tries again.
    configuration.catch(() => {
      if (this.discovered.get(councilId)?.configuration === configuration) this.discovered.delete(councilId);
    });
    return configuration;
  }

  private async discover(councilId: string, settings: StaffOidcConfig): Promise<client.Configuration> {
    const issuer = new URL(settings.issuer);
    const secret = settings.clientSecret ? this.env[settings.clientSecret.env] : undefined;
    if (settings.clientSecret && !secret) {
      const at = councilId === this.hub.config.council.id ? 'council' : `councils.${councilId}`;
      throw new ConfigError([
        {
          file: this.hub.config.file,
          line: null,
          path: `${at}.staff.oidc.clientSecret`,
          message: `environment variable ${settings.clientSecret.env} is not set`,
        },
      ]);
    }
    const auth = secret ? client.ClientSecretBasic(secret) : client.None();
    // http is allowed by the config schema only for a provider on this machine (tests, development).
    const insecure = issuer.protocol === 'http:';
    const configuration = await client.discovery(issuer, settings.clientId, secret ? { client_secret: secret } : {}, auth, {
      timeout: this.timeoutSeconds,
      // The ID token's signature is checked too (against the provider's published keys), not only trusted for having
      // come over TLS from the token endpoint.
      execute: insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
    });
    configuration.timeout = this.timeoutSeconds;
    return configuration;
  }
}

function refuse(reason: SignInRefusalReason, detail: string): CompletedSignIn {
  return { ok: false, reason, message: MESSAGES[reason], detail };
}

/** openid-client's codes for a provider that answered with something other than OAuth (an error page, a proxy's 502). */
const OUTAGE_CODES = new Set(['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON']);

/** A check that failed (state, nonce, issuer, signature, expiry, the provider refusing the code), not an outage. */
function isCheckFailure(err: unknown): boolean {
  if (err instanceof client.ClientError) return !OUTAGE_CODES.has(String(err.code));
  return err instanceof client.AuthorizationResponseError || err instanceof client.ResponseBodyError || err instanceof client.WWWAuthenticateChallengeError;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
}
