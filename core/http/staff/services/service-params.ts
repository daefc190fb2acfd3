// What the list and versions pages read from a request: the service id in the path (anything else is "Page not found",
// before any lookup), and the council whose services the person sees.
import type Koa from 'koa';
import { NotFoundError } from '../../../errors.ts';
import { staffOf } from '../admin-access.ts';

const SERVICE_ID = /^[a-z][a-z0-9-]{0,99}$/;

export function serviceIdParam(ctx: Koa.Context): string {
  const id = String(ctx.params.id ?? '');
  if (!SERVICE_ID.test(id)) throw new NotFoundError('If you typed the web address, check it is correct.');
  return id;
}

/** The person's council; null for a person of every council (an operator). */
export function councilScope(ctx: Koa.Context): string | null {
  return staffOf(ctx).council;
}

export function servicePath(id: string, part = ''): string {
  return `/staff/services/${id}${part}`;
}
