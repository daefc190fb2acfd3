// Issue 15: docker-compose.yml runs the image with config/closeloop.compose.yaml. That file must stay the example
// council (closeloop.yaml) except where containers differ from one machine, and must agree with the compose file:
// workers deliver to the serve container (not to localhost, which in a worker is the worker), and /sandbox, which then
// answers Docker's private networks, is published on the host's loopback only. `docker-compose config` (CI) checks
// the compose file's syntax; this checks what it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig, type Config } from '../../core/config/index.ts';

const COMPOSE_CONFIG = 'config/closeloop.compose.yaml';

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const composed = loadConfig(COMPOSE_CONFIG, {});
const example = loadConfig('config/closeloop.yaml', {});

test('the compose config is the example council but for the container addresses', () => {
  const withoutContainerDifferences = (c: Config) => {
    const copy = structuredClone({ ...c, file: '', envValues: [] }) as Config;
    copy.database.url = '';
    copy.redis.url = '';
    copy.documents.path = '';
    copy.paths.documents = '';
    delete copy.bindings.sandbox!.config.url;
    delete copy.bindings.sandbox!.config.allowFrom;
    delete copy.channels.email!.config.host;
    delete copy.channels.email!.config.port;
    // The example council is also the test suite's, which counts the two confirmations one by one (window 0);
    // a council running the containers gets the product's one confirmation for a quick delivery.
    copy.notifications.confirmationWindowSeconds = 0;
    return copy;
  };
  assert.deepEqual(withoutContainerDifferences(composed), withoutContainerDifferences(example));
  assert.equal(composed.notifications.confirmationWindowSeconds, 5, 'the containers wait 5 s to send one confirmation');
});

test('the hub containers run the image with the compose config: one serve, two workers', () => {
  const { serve, worker } = compose.services;
  for (const service of [serve!, worker!]) {
    assert.ok(service.build, 'built from the Dockerfile');
    assert.equal(service.environment?.CLOSELOOP_CONFIG, COMPOSE_CONFIG);
    assert.ok(service.volumes?.includes(`documents:${composed.documents.path}`), 'every role sees the same documents folder');
  }
  assert.equal(serve!.image, worker!.image);
  assert.deepEqual(serve!.command, ['serve']);
  assert.deepEqual(worker!.command, ['worker']);
  assert.equal(worker!.deploy?.replicas, 2);
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  assert.match(dockerfile, /^ENTRYPOINT \["node", "dist\/core\/cli\.js"\]$/m, 'the image runs the compiled CLI with node itself');
  assert.match(start, /^exec node dist\/core\/cli\.js start$/, '…as npm start does');
});

test('workers deliver to the serve container, and /sandbox is reachable only from this machine', () => {
  const inbox = new URL(String(composed.bindings.sandbox!.config.url));
  assert.equal(inbox.hostname, 'serve', 'a compose service name, not localhost (a worker container itself)');
  assert.equal(inbox.pathname, '/connectors/sandbox/inbox');
  assert.deepEqual(compose.services[inbox.hostname]!.command, ['serve']);
  assert.ok(
    compose.services.serve!.ports!.some((p) => p === `127.0.0.1:${composed.server.port}:${inbox.port}`),
    'the hub port is published on the host loopback only',
  );
  // The browser's requests arrive from Docker's network gateway: the compose config lets private networks in.
  assert.ok((composed.bindings.sandbox!.config.allowFrom as string[]).includes('172.16.0.0/12'));
  // Tracking links in e-mails stay the address the person's browser uses.
  assert.equal(composed.server.publicBaseUrl, example.server.publicBaseUrl);
  assert.equal(composed.channels.email!.config.host, 'mail');
  assert.ok(compose.services.mail, 'the mail catcher the e-mail channel sends to');
  const db = new URL(composed.database.url);
  assert.ok(compose.services[db.hostname], `the database host ${db.hostname} is a compose service`);
  assert.ok(compose.services[new URL(composed.redis.url!).hostname], 'so is Redis');
});
