// Webhook targets are URLs an admin types in. Unless a binding explicitly allows private networks, connections to
// loopback, link-local (including the cloud metadata address 169.254.169.254), private, shared and reserved addresses
// are refused. The check runs at connect time, inside the agent's DNS lookup, so a name that resolves to a public
// address when checked and to a private one when used (DNS rebinding) is still refused.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

export class SsrfError extends Error {
  readonly code = 'ERR_SSRF_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'SsrfError';
  }
}

export interface GuardOptions {
  /** Allow loopback and private addresses (the sandbox, tests, a back office on the council's own network). */
  allowPrivateNetwork?: boolean;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** True for any address a webhook must not reach without allowPrivateNetwork (and for anything that is not an IP). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIPv4(address);
  if (embedded) return blocked.check(embedded, 'ipv4');
  return blocked.check(address, 'ipv6');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type LookupOptions = { all?: boolean; family?: number | string; hints?: number; verbatim?: boolean };
export type LookupFunction = (hostname: string, options: LookupOptions | number, callback: LookupCallback) => void;

/**
 * A dns.lookup replacement for http(s) agents, net.connect or undici's `connect.lookup` that resolves every address
 * of the name and refuses the connection if any is private. `resolve` is replaceable for tests.
 */
export function createGuardedLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    const opts: LookupOptions = typeof options === 'number' ? { family: options } : { ...options };
    resolve(hostname, { ...(opts as object), all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as unknown as LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new SsrfError(refusal(hostname, bad.address)), []);
      if (!list.length) return callback(Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' }), []);
      if (opts.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export const guardedLookup: LookupFunction = createGuardedLookup();

/**
 * Refuses a URL whose host is a literal private address (a literal IP skips DNS, so the agent's lookup never sees it).
 * Names are checked later, at connect time, by the agent from `guardedAgent`.
 */
export function assertLiteralHostAllowed(url: URL, options: GuardOptions = {}): void {
  if (options.allowPrivateNetwork) return;
  const host = hostOf(url);
  if (isIP(host) && isPrivateAddress(host)) throw new SsrfError(refusal(host, host));
}

/** A keep-alive agent for one target whose connections go through the guard (unless private networks are allowed). */
export function guardedAgent(url: URL, options: GuardOptions & { maxSockets?: number; keepAlive?: boolean } = {}): http.Agent {
  const agentOptions: http.AgentOptions = {
    keepAlive: options.keepAlive ?? true,
    maxSockets: options.maxSockets ?? 256,
    ...(options.allowPrivateNetwork ? {} : { lookup: guardedLookup as never }),
  };
  return url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
}

/**
 * The admin-facing check ("test connection", check-config): resolves the URL's host now and lists what is wrong
 * (does not resolve, resolves to a private address). An empty list means the URL passes the guard today.
 */
export async function checkTargetUrl(target: string | URL, options: GuardOptions & { resolve?: typeof dnsLookup } = {}): Promise<string[]> {
  let url: URL;
  try {
    url = typeof target === 'string' ? new URL(target) : target;
  } catch {
    return [`${String(target)} is not a URL`];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [`${url.href} must be an http or https URL`];
  const host = hostOf(url);
  if (isIP(host)) return !options.allowPrivateNetwork && isPrivateAddress(host) ? [refusal(host, host)] : [];
  const resolve = options.resolve ?? dnsLookup;
  const addresses = await new Promise<LookupAddress[] | Error>((done) =>
    resolve(host, { all: true }, (err, list) => done(err ?? (list as unknown as LookupAddress[]))),
  );
  if (addresses instanceof Error) return [`${host} does not resolve (${(addresses as NodeJS.ErrnoException).code ?? addresses.message})`];
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad && !options.allowPrivateNetwork ? [refusal(host, bad.address)] : [];
}

function refusal(host: string, address: string): string {
  const what = host === address ? `${host} is` : `${host} resolves to ${address},`;
  return `${what} a loopback, private or link-local address; set allowPrivateNetwork on the binding to allow it`;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * The IPv4 address an IPv6 address carries, for IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
 * (2002:aabb:ccdd::/48) addresses; '0.0.0.0' (refused) for the deprecated IPv4-compatible ::/96, which includes :: and ::1.
 */
function embeddedIPv4(address: string): string | null {
  const w = expandIPv6(address);
  if (!w) return '0.0.0.0';
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  if (zeros(0, 5) && w[5] === 0xffff) return v4(w[6]!, w[7]!);
  if (zeros(0, 6)) return '0.0.0.0';
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return v4(w[6]!, w[7]!);
  if (w[0] === 0x2002) return v4(w[1]!, w[2]!);
  return null;
}

function expandIPv6(address: string): number[] | null {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const o = dotted[1]!.split('.').map(Number);
    text = text.slice(0, -dotted[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((w) => parseInt(w, 16));
}
