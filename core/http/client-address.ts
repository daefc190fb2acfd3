// The client's address, for plugin routes that answer only some addresses (the sandbox back office's page).
//
// The client's address is the socket's peer, unless the hub is configured to trust a proxy (server.trustProxy). Then
// it is the address that proxy saw: the LAST X-Forwarded-For entry, the one the proxy appended. (Koa's ctx.ip takes
// the first, which the client can write itself: "X-Forwarded-For: 127.0.0.1" would pass for this machine.) Without
// proxy trust, a request that carries forwarding headers came through a proxy the hub does not know: the socket's peer
// is that proxy (often this very machine), not the client, so the client's address is unknown and the request refused.
import { isIP } from 'node:net';
import type { Context } from 'koa';

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/** The client's address, or null when it cannot be known (see the comment at the top). */
export function clientAddress(ctx: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = ctx
      .get('x-forwarded-for')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (forwarded.length) return plainAddress(forwarded[forwarded.length - 1]!);
    // A proxy that says where the request came from in another header only: not a form this hub reads.
    if (ctx.get('forwarded') || ctx.get('x-real-ip')) return null;
    return plainAddress(ctx.req.socket.remoteAddress);
  }
  if (FORWARDING_HEADERS.some((h) => ctx.get(h))) return null;
  return plainAddress(ctx.req.socket.remoteAddress);
}

/** An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d: compare it as the IPv4 address it is. */
function plainAddress(address: string | undefined): string | null {
  if (!address) return null;
  const plain = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1] ?? address;
  return isIP(plain) ? plain : null;
}
