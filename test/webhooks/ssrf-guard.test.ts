// The SSRF guard: which addresses are refused, refusal at connect time (so DNS rebinding cannot slip past a check),
// and the admin-facing URL check.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { lookup as dnsLookup } from 'node:dns';
import { assertLiteralHostAllowed, checkTargetUrl, createGuardedLookup, guardedAgent, isPrivateAddress, SsrfError } from '@closeloop/sdk';

/** A stand-in for dns.lookup answering from a table (each name: a list of answers used in turn). */
function fakeResolver(table: Record<string, string[][]>): typeof dnsLookup {
  const calls: Record<string, number> = {};
  return ((hostname: string, _options: unknown, callback: (err: Error | null, addresses: { address: string; family: number }[]) => void) => {
    const answers = table[hostname];
    if (!answers) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const n = (calls[hostname] = (calls[hostname] ?? -1) + 1);
    const list = answers[Math.min(n, answers.length - 1)]!;
    callback(
      null,
      list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof dnsLookup;
}

describe('isPrivateAddress', () => {
  const refused = [
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '100.127.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '::10.0.0.1',
    '::2',
    'localhost',
    'not-an-ip',
    '',
  ];
  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '100.63.255.255',
    '192.169.0.1',
    '2606:4700::1111',
    '2a00:1450:4009::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ];
  for (const a of refused) test(`refuses ${a || '(empty)'}`, () => assert.equal(isPrivateAddress(a), true));
  for (const a of allowed) test(`allows ${a}`, () => assert.equal(isPrivateAddress(a), false));
});

describe('createGuardedLookup', () => {
  const resolve = fakeResolver({ 'public.test': [['93.184.215.14']], 'mixed.test': [['93.184.215.14', '10.0.0.7']], 'v6.test': [['2606:4700::1111', '::1']] });
  const lookup = createGuardedLookup(resolve);
  const run = (host: string, options: { all?: boolean }) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((done) =>
      lookup(host, options, (err, address, family) => done({ err, address, family })),
    );

  test('passes public names through, as one address or all', async () => {
    assert.deepEqual(await run('public.test', {}), { err: null, address: '93.184.215.14', family: 4 });
    assert.deepEqual((await run('public.test', { all: true })).address, [{ address: '93.184.215.14', family: 4 }]);
  });

  test('refuses a name if any of its addresses is private', async () => {
    for (const host of ['mixed.test', 'v6.test']) {
      const { err } = await run(host, { all: true });
      assert.ok(err instanceof SsrfError, host);
      assert.match(err.message, /resolves to (10\.0\.0\.7|::1), a loopback, private or link-local address; set allowPrivateNetwork/);
    }
  });

  test('passes DNS errors on unchanged', async () => {
    const { err } = await run('nowhere.test', {});
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOTFOUND');
  });
});

describe('guard at connect time', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  before(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  function get(url: string, agent: http.Agent): Promise<number> {
    return new Promise((resolve, reject) => {
      http.get(url, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', reject);
    });
  }

  test('an agent from guardedAgent refuses a name that resolves to loopback, unless private networks are allowed', async () => {
    const url = new URL(`http://localhost:${port}/`);
    const before = hits;
    const refused = guardedAgent(url);
    await assert.rejects(get(url.href, refused), SsrfError);
    assert.equal(hits, before, 'nothing reached the server');
    refused.destroy();
    const allowed = guardedAgent(url, { allowPrivateNetwork: true });
    assert.equal(await get(url.href, allowed), 200);
    allowed.destroy();
  });

  test('DNS rebinding: a name that checked out as public but now resolves to loopback is refused at connect time', async () => {
    const resolve = fakeResolver({ 'rebind.test': [['93.184.215.14'], ['127.0.0.1']] });
    assert.deepEqual(await checkTargetUrl(`http://rebind.test:${port}/`, { resolve }), [], 'the admin check saw a public address');
    const agent = new http.Agent({ lookup: createGuardedLookup(resolve) as never });
    const before = hits;
    await assert.rejects(get(`http://rebind.test:${port}/`, agent), SsrfError);
    assert.equal(hits, before);
    agent.destroy();
  });

  test('literal addresses skip DNS, so assertLiteralHostAllowed checks them', () => {
    assert.throws(() => assertLiteralHostAllowed(new URL(`http://127.0.0.1:${port}/`)), SsrfError);
    assert.throws(() => assertLiteralHostAllowed(new URL('http://[::1]/')), SsrfError);
    assert.throws(() => assertLiteralHostAllowed(new URL('http://169.254.169.254/latest/meta-data/')), SsrfError);
    assert.doesNotThrow(() => assertLiteralHostAllowed(new URL('http://127.0.0.1/'), { allowPrivateNetwork: true }));
    assert.doesNotThrow(() => assertLiteralHostAllowed(new URL('https://8.8.8.8/')));
    assert.doesNotThrow(() => assertLiteralHostAllowed(new URL('https://localhost/')), 'names are checked at connect time');
  });
});

describe('checkTargetUrl', () => {
  const resolve = fakeResolver({ 'hooks.example.test': [['93.184.215.14']], 'intranet.test': [['192.168.4.20']] });

  test('passes a public target and says nothing', async () => {
    assert.deepEqual(await checkTargetUrl('https://hooks.example.test/in', { resolve }), []);
    assert.deepEqual(await checkTargetUrl('https://8.8.8.8/in'), []);
  });

  test('explains each refusal', async () => {
    assert.deepEqual(await checkTargetUrl('https://intranet.test/in', { resolve }), [
      'intranet.test resolves to 192.168.4.20, a loopback, private or link-local address; set allowPrivateNetwork on the binding to allow it',
    ]);
    assert.deepEqual(await checkTargetUrl('http://169.254.169.254/'), [
      '169.254.169.254 is a loopback, private or link-local address; set allowPrivateNetwork on the binding to allow it',
    ]);
    assert.deepEqual(await checkTargetUrl('https://gone.test/', { resolve }), ['gone.test does not resolve (ENOTFOUND)']);
    assert.deepEqual(await checkTargetUrl('ftp://hooks.example.test/'), ['ftp://hooks.example.test/ must be an http or https URL']);
    assert.deepEqual(await checkTargetUrl('not a url'), ['not a url is not a URL']);
  });

  test('allowPrivateNetwork lets private targets through', async () => {
    assert.deepEqual(await checkTargetUrl('https://intranet.test/in', { resolve, allowPrivateNetwork: true }), []);
    assert.deepEqual(await checkTargetUrl('http://127.0.0.1:8080/', { allowPrivateNetwork: true }), []);
  });
});
