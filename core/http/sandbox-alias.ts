// The example council's short address for its pretend back office: /sandbox and everything under it are the routes of
// the binding that uses the sandbox connector (/connectors/{binding}/…), so the README's links and old bookmarks keep
// working. Rewritten, not redirected: a form posted to /sandbox/act/… reaches the binding's route as it is.
import type { Middleware } from 'koa';

export function sandboxAlias(binding: string | undefined): Middleware {
  return async (ctx, next) => {
    if (binding && (ctx.path === '/sandbox' || ctx.path.startsWith('/sandbox/'))) {
      ctx.path = `/connectors/${binding}${ctx.path === '/sandbox' ? '/' : ctx.path.slice('/sandbox'.length)}`;
    }
    await next();
  };
}
