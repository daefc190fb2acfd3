// Who may open the admin pages (API keys, audit log, erasure): a signed-in person of one of the roles. Another role gets
// "Page not found" (404), as another council's record does: a page someone may not use is not disclosed either.
import type Koa from 'koa';
import { NotFoundError } from '../../errors.ts';
import { hasRole, requireStaff, staffActor, staffDisplayName, type StaffRole, type StaffState, type StaffUser } from '../../staff/index.ts';

/** requireStaff() (signed in, CSRF on posts), then the role: another role is 404. */
export function staffWithRole(...roles: StaffRole[]): Koa.Middleware[] {
  return [
    requireStaff(),
    async (ctx, next) => {
      if (!hasRole((ctx.state as StaffState).staff!, roles)) throw new NotFoundError('If you typed the web address, check it is correct.');
      await next();
    },
  ];
}

export function staffOf(ctx: Koa.Context): StaffUser {
  return (ctx.state as StaffState).staff!;
}

/** The audit log's actor for the person ("staff:<id>"), and the name it reads as ("Jane Smith"). */
export function actorOf(user: StaffUser): { actor: string; name: string } {
  return { actor: staffActor(user), name: staffDisplayName(user) };
}
