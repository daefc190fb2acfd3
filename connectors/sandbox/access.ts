// Who may open the sandbox's page and use its buttons (they act on citizens' submissions with no sign-in): the client's
// address, as the hub saw it, checked against allowFrom (node:net's BlockList does the matching, IPv4 and IPv6). The
// hub gives no address for a request that came through a proxy it does not trust: refused.
import { BlockList, isIP } from 'node:net';

/** 127.0.0.0/8 or a part of it, or ::1. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+(\/(8|9|[12]\d|3[0-2]))?|::1(\/128)?)$/;

export interface Access {
  allows(clientAddress: string | null): boolean;
  /** Who may open it, in words for its page and its refusal. */
  audience: string;
}

export function accessFor(allowFrom: readonly string[], binding: string): Access {
  const list = new BlockList();
  for (const entry of allowFrom) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  const who = allowFrom.every((a) => LOOPBACK.test(a)) ? 'only requests from this machine' : `requests from ${allowFrom.join(', ')} only`;
  return {
    allows: (address) => address !== null && list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'),
    audience: `The sandbox back office answers ${who} (bindings.${binding}.config.allowFrom in closeloop.yaml).`,
  };
}
