// Local sign-in (e-mail and password, then the authenticator app's code), sign-out, and sign-out everywhere.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import {
  ATTEMPT_WINDOW_MINUTES,
  checkCode,
  checkPassword,
  checkStaffCsrf,
  requireStaff,
  signInStaff,
  signOut,
  signOutEverywhere,
  startSession,
  type StaffState,
} from '../../staff/index.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';

const TOO_MANY = `You have tried to sign in too many times. Wait ${ATTEMPT_WINDOW_MINUTES} minutes, then try again.`;

/** `oidcProviders`: the councils whose staff sign in with their own provider, offered under the form. */
export function mountSignIn(router: Router, hub: Hub, oidcProviders: { href: string; label: string }[] = []): void {
  const signInPage = (ctx: Koa.Context, values: { email?: string; notice?: string }, errors: Record<string, string | undefined> = {}, status = 200) =>
    sendStaffPage(
      ctx,
      hub,
      'sign-in.njk',
      { title: 'Sign in', formCsrf: csrfToken(ctx), errors, errorSummary: errorSummary(errors), oidcProviders, ...values },
      status,
    );

  router.get('/sign-in', (ctx) => {
    const session = (ctx.state as StaffState).staffSession;
    if (session?.stage === 'signed-in') return ctx.redirect('/staff/overview');
    signInPage(ctx, {});
  });

  router.post('/sign-in', async (ctx) => {
    const body = formBody(ctx);
    checkCsrf(ctx, body._csrf);
    const email = (body.email ?? '').trim();
    const password = body.password ?? '';
    const errors = {
      email: email ? undefined : 'Enter your email address',
      password: password ? undefined : 'Enter your password',
    };
    if (errors.email || errors.password) return signInPage(ctx, { email }, errors, 400);
    const outcome = await checkPassword(hub.db, email, password, ctx.ip);
    if (outcome.ok) {
      await startSession(ctx, hub, outcome.userId, 'password');
      return ctx.redirect('/staff/sign-in/code');
    }
    if (outcome.reason === 'rate-limited') {
      ctx.set('Retry-After', String(ATTEMPT_WINDOW_MINUTES * 60));
      return signInPage(ctx, { email }, { email: TOO_MANY }, 429);
    }
    if (outcome.reason === 'no-second-factor')
      return signInPage(ctx, { email }, { email: 'Your account has no authenticator app set up yet. Use the link you were sent to finish setting it up' }, 400);
    return signInPage(ctx, { email }, { email: 'Enter a correct email address and password' }, 400);
  });

  const codePage = (ctx: Koa.Context, errors: Record<string, string | undefined> = {}, status = 200) =>
    sendStaffPage(
      ctx,
      hub,
      'sign-in-code.njk',
      {
        title: 'Enter the code from your authenticator app',
        formCsrf: (ctx.state as StaffState).staffSession!.csrfToken,
        errors,
        errorSummary: errorSummary(errors),
      },
      status,
    );

  router.get('/sign-in/code', (ctx) => {
    const session = (ctx.state as StaffState).staffSession;
    if (!session) return ctx.redirect('/staff/sign-in');
    if (session.stage === 'signed-in') return ctx.redirect('/staff/overview');
    codePage(ctx);
  });

  router.post('/sign-in/code', async (ctx) => {
    const session = (ctx.state as StaffState).staffSession;
    const body = formBody(ctx);
    if (!session || session.stage !== 'password') return ctx.redirect('/staff/sign-in');
    checkStaffCsrf(session, body._csrf);
    const code = (body.code ?? '').trim();
    if (!code) return codePage(ctx, { code: 'Enter the code from your authenticator app' }, 400);
    const outcome = await checkCode(hub.db, session.user.id, code, ctx.ip);
    if (outcome.ok) {
      await signInStaff(ctx, hub, session.user.id);
      return ctx.redirect('/staff/overview');
    }
    if (outcome.reason === 'rate-limited') {
      ctx.set('Retry-After', String(ATTEMPT_WINDOW_MINUTES * 60));
      return codePage(ctx, { code: TOO_MANY }, 429);
    }
    return codePage(ctx, { code: 'The code is not right. Enter the code your authenticator app shows now' }, 400);
  });

  router.post('/sign-out', requireStaff(), async (ctx) => {
    await signOut(ctx, hub);
    ctx.redirect('/staff/signed-out');
  });

  router.get('/signed-out', (ctx) =>
    sendStaffPage(ctx, hub, 'message.njk', {
      title: 'You have signed out',
      heading: 'You have signed out',
      paragraphs: [],
      link: { href: '/staff/sign-in', text: 'Sign in again' },
    }),
  );

  router.get('/account', requireStaff(), (ctx) => {
    const staff = (ctx.state as StaffState).staff!;
    const rows = [
      { key: { text: 'Name' }, value: { text: staff.name ?? 'Not given' } },
      { key: { text: 'Email address' }, value: { text: staff.email } },
      { key: { text: 'Role' }, value: { text: staff.role } },
      { key: { text: 'Council' }, value: { text: staff.council ? hub.councils.get(staff.council).name : 'Every council' } },
      ...(staff.services ? [{ key: { text: 'Services' }, value: { text: staff.services.join(', ') } }] : []),
    ];
    sendStaffPage(ctx, hub, 'account.njk', { title: 'Your account', rows });
  });

  router.post('/sign-out-everywhere', requireStaff(), async (ctx) => {
    const staff = (ctx.state as StaffState).staff!;
    await signOutEverywhere(hub.db, staff);
    await signOut(ctx, hub);
    (ctx.state as StaffState).staff = undefined;
    sendStaffPage(ctx, hub, 'message.njk', {
      title: 'You have signed out everywhere',
      heading: 'You have signed out everywhere',
      paragraphs: ['You have been signed out of the staff console on every device and browser.'],
      link: { href: '/staff/sign-in', text: 'Sign in again' },
    });
  });
}
