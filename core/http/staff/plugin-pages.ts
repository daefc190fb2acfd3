// Plugin pages behind staff sign-in (routes a plugin marks `staffPage`, such as the sandbox back office's page and
// buttons): core/http/inbound.ts mounts them under /staff, where the staff session's cookie is sent, and asks this gate.
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { readSession, STAFF_PATH } from '../../staff/index.ts';
import { sendProblem } from '../problem.ts';

/** Lets through a person signed in to the staff console (any role); otherwise a redirect to sign in (403 for a form). */
export function staffPageGate(hub: Hub): (ctx: Context) => Promise<boolean> {
  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const session = await readSession(ctx, hub);
    if (session?.stage === 'signed-in') return true;
    if (ctx.method === 'GET' || ctx.method === 'HEAD') ctx.redirect(`${STAFF_PATH}/sign-in`);
    else sendProblem(ctx, 403, 'Forbidden', 'You are signed out of the staff console. Sign in and try again.');
    return false;
  };
}
