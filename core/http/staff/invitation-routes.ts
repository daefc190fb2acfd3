// The one-time link from `closeloop staff create`: set a name (if the operator gave none) and a password, then set up
// the authenticator app (QR code and typed key) and confirm it with a code; the person is then signed in.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import {
  confirmTotpFromInvitation,
  groupedSecret,
  MIN_PASSWORD_LENGTH,
  openInvitation,
  passwordProblem,
  pendingTotpSecret,
  setPasswordFromInvitation,
  signInStaff,
  totpEnrolment,
} from '../../staff/index.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';

export function mountInvitations(router: Router, hub: Hub): void {
  const expired = (ctx: Koa.Context) =>
    sendStaffPage(
      ctx,
      hub,
      'message.njk',
      {
        title: 'This link has expired',
        heading: 'This link has expired',
        paragraphs: ['Links to set up an account work once, for 7 days.', 'Ask the person who set up your account to send you a new link.'],
      },
      404,
    );

  const passwordPage = (
    ctx: Koa.Context,
    token: string,
    email: string,
    askName: boolean,
    values: { name?: string },
    errors: Record<string, string | undefined> = {},
  ) =>
    sendStaffPage(
      ctx,
      hub,
      'invitation-password.njk',
      {
        title: 'Create a password',
        action: `/staff/invitations/${token}`,
        formCsrf: csrfToken(ctx),
        email,
        askName,
        minLength: MIN_PASSWORD_LENGTH,
        errors,
        errorSummary: errorSummary(errors),
        ...values,
      },
      Object.values(errors).some(Boolean) ? 400 : 200,
    );

  router.get('/invitations/:token', async (ctx) => {
    ctx.set('Referrer-Policy', 'no-referrer');
    const token = ctx.params.token!;
    const open = await openInvitation(hub.db, token);
    if (!open) return expired(ctx);
    if (open.passwordSet) return ctx.redirect(`/staff/invitations/${token}/second-factor`);
    passwordPage(ctx, token, open.user.email, !open.user.name, {});
  });

  router.post('/invitations/:token', async (ctx) => {
    const token = ctx.params.token!;
    const body = formBody(ctx);
    checkCsrf(ctx, body._csrf);
    const open = await openInvitation(hub.db, token);
    if (!open) return expired(ctx);
    const askName = !open.user.name;
    const name = (body.name ?? '').trim();
    const password = body.password ?? '';
    const errors: Record<string, string | undefined> = {
      name: askName && !name ? 'Enter your full name' : undefined,
      password: passwordProblem(password) ?? undefined,
      confirm: !passwordProblem(password) && password !== (body.confirm ?? '') ? 'Passwords must match' : undefined,
    };
    if (errors.name || errors.password || errors.confirm) return passwordPage(ctx, token, open.user.email, askName, { name }, errors);
    await setPasswordFromInvitation(hub.db, token, password, askName ? name : null);
    ctx.redirect(`/staff/invitations/${token}/second-factor`);
  });

  const totpPage = async (ctx: Koa.Context, token: string, email: string, errors: Record<string, string | undefined> = {}) => {
    const secret = await pendingTotpSecret(hub.db, token);
    if (!secret) return expired(ctx);
    const issuer = `${hub.config.council.name} staff`;
    const { qrDataUrl } = await totpEnrolment(secret, email, issuer);
    sendStaffPage(
      ctx,
      hub,
      'invitation-totp.njk',
      {
        title: 'Set up your authenticator app',
        action: `/staff/invitations/${token}/second-factor`,
        formCsrf: csrfToken(ctx),
        qrDataUrl,
        secret: groupedSecret(secret),
        errors,
        errorSummary: errorSummary(errors),
      },
      Object.values(errors).some(Boolean) ? 400 : 200,
    );
  };

  router.get('/invitations/:token/second-factor', async (ctx) => {
    ctx.set('Referrer-Policy', 'no-referrer');
    const token = ctx.params.token!;
    const open = await openInvitation(hub.db, token);
    if (!open) return expired(ctx);
    if (!open.passwordSet) return ctx.redirect(`/staff/invitations/${token}`);
    await totpPage(ctx, token, open.user.email);
  });

  router.post('/invitations/:token/second-factor', async (ctx) => {
    const token = ctx.params.token!;
    const body = formBody(ctx);
    checkCsrf(ctx, body._csrf);
    const open = await openInvitation(hub.db, token);
    if (!open) return expired(ctx);
    if (!open.passwordSet) return ctx.redirect(`/staff/invitations/${token}`);
    const code = (body.code ?? '').trim();
    if (!code) return totpPage(ctx, token, open.user.email, { code: 'Enter the code from your authenticator app' });
    const user = await confirmTotpFromInvitation(hub.db, token, code);
    if (!user) return totpPage(ctx, token, open.user.email, { code: 'The code is not right. Enter the code your authenticator app shows now' });
    await signInStaff(ctx, hub, user.id);
    ctx.redirect('/staff/overview');
  });
}
