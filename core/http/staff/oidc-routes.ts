// Staff sign-in with the council's OpenID Connect provider:
//   GET /staff/sign-in/{council}/oidc           → to the provider (a sign-in in progress kept in Postgres, found by a cookie)
//   GET /staff/sign-in/{council}/oidc/callback  → back from it: checked, then onSignedIn (which starts the staff session)
// A refused sign-in gets a page saying why, in plain words, with 403 (503 when the provider cannot be reached); the log
// gets the reason. This module starts no session itself: `onSignedIn` does, so it knows nothing of staff accounts.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { StaffOidc, type StaffOidcIdentity, type StaffOidcOptions } from '../../staff/oidc.ts';
import { keepPendingSignIn, PENDING_SIGN_IN_SECONDS, usePendingSignIn } from '../../staff/oidc-pending.ts';
import { renderErrorPage, renderNotFoundPage } from '../pages/index.ts';

export interface StaffOidcRoutesOptions extends StaffOidcOptions {
  hub: Hub;
  /**
   * Called once the provider vouched for someone and the role mapping gave them a role: make or update their staff
   * account and start their session. When it leaves no response, the browser goes to `returnTo` (or the console's home).
   */
  onSignedIn(ctx: Context, identity: StaffOidcIdentity, returnTo: string | null): Promise<void>;
  /** Where the staff console is mounted on `router` (default /staff; '' for a router that already has the prefix). */
  prefix?: string;
  /** Sign-in with the councils' providers (default: one made from hub.config). */
  oidc?: StaffOidc;
}

/** The cookie naming a sign-in in progress; scoped to the sign-in paths, so it travels nowhere else. */
export const PENDING_COOKIE = 'closeloop_staff_oidc';

/** Mounts the sign-in routes on `router`; answers the StaffOidc it uses (its councils() are the ones to offer). */
export function mountStaffOidc(router: Router, options: StaffOidcRoutesOptions): StaffOidc {
  const { hub } = options;
  const prefix = options.prefix ?? '/staff';
  const oidc = options.oidc ?? new StaffOidc(hub, options);
  const cookiePath = (council: string) => `${prefix || '/staff'}/sign-in/${encodeURIComponent(council)}/oidc`;

  router.get(`${prefix}/sign-in/:council/oidc`, async (ctx) => {
    const council = ctx.params.council!;
    if (!oidc.settings(council)) return notFound(ctx, hub);
    noStore(ctx);
    let begun;
    try {
      begun = await oidc.beginSignIn(council);
    } catch (err) {
      hub.log.warn({ council, err: err instanceof Error ? err.message : String(err) }, 'staff sign-in: the identity provider cannot be reached');
      return page(ctx, hub, council, 503, 'Sorry, you cannot sign in at the moment', 'Signing in is not working at the moment. Try again in a few minutes.');
    }
    const returnTo = safeReturnTo(ctx.query.returnTo, prefix);
    const token = await keepPendingSignIn(hub.db, { council, state: begun.state, nonce: begun.nonce, codeVerifier: begun.codeVerifier, returnTo });
    ctx.cookies.set(PENDING_COOKIE, token, {
      path: cookiePath(council),
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      maxAge: PENDING_SIGN_IN_SECONDS * 1000,
      overwrite: true,
    });
    ctx.redirect(begun.url.href);
  });

  router.get(`${prefix}/sign-in/:council/oidc/callback`, async (ctx) => {
    const council = ctx.params.council!;
    if (!oidc.settings(council)) return notFound(ctx, hub);
    noStore(ctx);
    const pending = await usePendingSignIn(hub.db, ctx.cookies.get(PENDING_COOKIE));
    ctx.cookies.set(PENDING_COOKIE, null, { path: cookiePath(council), httpOnly: true, sameSite: 'lax', secure: ctx.secure, overwrite: true });
    if (!pending || pending.council !== council) {
      hub.log.warn(
        { council, reason: 'not-verified', detail: 'no sign-in in progress in this browser (used, expired or never begun)' },
        'staff sign-in refused',
      );
      return refusedPage(ctx, hub, council, 403, 'Your sign-in could not be checked. Go back to the sign-in page and try again.');
    }
    const callbackUrl = new URL(oidc.redirectUri(council));
    callbackUrl.search = ctx.querystring;
    const result = await oidc.completeSignIn(council, callbackUrl, pending);
    if (!result.ok) {
      hub.log.warn({ council, reason: result.reason, detail: result.detail }, 'staff sign-in refused');
      return refusedPage(ctx, hub, council, result.reason === 'unavailable' ? 503 : 403, result.message);
    }
    hub.log.info({ council, role: result.identity.role, issuer: result.identity.issuer }, 'staff signed in with their identity provider');
    await options.onSignedIn(ctx, result.identity, pending.returnTo);
    if (ctx.body == null && ctx.status === 404) ctx.redirect(pending.returnTo ?? (prefix || '/staff'));
  });
  return oidc;
}

function refusedPage(ctx: Context, hub: Hub, council: string, status: number, message: string): void {
  page(ctx, hub, council, status, status === 503 ? 'Sorry, you cannot sign in at the moment' : 'You cannot sign in', message);
}

function page(ctx: Context, hub: Hub, council: string, status: number, heading: string, message: string): void {
  ctx.status = status;
  ctx.type = 'text/html';
  ctx.body = renderErrorPage(hub.councils.get(council), heading, message);
}

function notFound(ctx: Context, hub: Hub): void {
  ctx.status = 404;
  ctx.type = 'text/html';
  ctx.body = renderNotFoundPage(hub.config.council);
}

function noStore(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
}

/** Only a path inside the console (never another host: `//evil.example` and `/\evil` are refused). */
function safeReturnTo(value: unknown, prefix: string): string | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  const base = prefix || '/staff';
  if (!(value === base || value.startsWith(`${base}/`))) return null;
  if (/[\\\s]|\/\//.test(value)) return null;
  return value;
}
