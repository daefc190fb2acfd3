// The closeloop command: start | serve | worker | migrate | check-config | keys | replay | erase | retention | staff | gazetteer | services
import './node-version.ts';
import './threadpool.ts';
import { parseArgs } from 'node:util';
import { ConfigError, defaultConfigFile, loadConfig, type Config } from './config/index.ts';
import type { Database } from './db/index.ts';
import type { Hub } from './hub.ts';

// Each command imports what it uses when it runs: the whole hub is about a CPU-second to load, which `--help`, a key or
// a staff account would otherwise pay for (and the test suite, which runs the CLI a few hundred times).
const database = () => import('./db/index.ts');
const pluginData = async (config: Config) => (await import('./plugins/plugin-data.ts')).pluginDataFor(config);

const USAGE = `Usage: closeloop <command> [options]

Commands:
  start                 serve + worker in one process (migrates first)
  serve                 the HTTP API and pages only
  worker                the queue worker, relay and schedules only
  migrate               apply database migrations
  check-config          validate config, services, XML mappings and XSDs; exit 1 on any problem
                        [--connect] also ask each back office (key, codes, operations) through its connector's check
  keys create --name N --services a,b [--admin] [--council ID] [--expires 2027-01-01]
                        (--expires: a future date; the key stops working at its start, 00:00 UTC)
  keys list
  keys revoke <id or key prefix>
  replay --delivery <id> | --update <id> | --binding <name>
                        put dead deliveries (--update: a dead update delivery, a citizen's
                        message; --binding: both kinds) back in the outbox
  erase --reference <ref> [--reason "..."]
                        erase the citizen's personal data from a process (docs/governance.md)
  retention [--dry-run] erase every process past its service's retention period now,
                        or (--dry-run) only list them
  staff create --email EMAIL --role ROLE [--council ID] [--services a,b] [--name NAME]
                        a staff console account (ROLE: operator, council-admin,
                        service-editor, caseworker, auditor); prints a one-time link to set a password and second factor
  staff list
  staff disable --email EMAIL
                        the account can no longer sign in; its sessions end
  gazetteer import FILE [--council ID] [--on-bad-rows abort|skip]
                        load a council's address list (CSV: README "Addresses") into the gazetteer,
                        replacing the previous one at once; a bad row imports nothing (abort, the
                        default) or is listed and left out (skip)
  services list [--council ID] [--json]
                        the published services by category (id, title, reference prefix,
                        version, bindings); --json: one object per service

Options:
  --config <file>       config file (default: $CLOSELOOP_CONFIG or config/closeloop.yaml)
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      name: { type: 'string' },
      services: { type: 'string' },
      admin: { type: 'boolean' },
      expires: { type: 'string' },
      council: { type: 'string' },
      connect: { type: 'boolean' },
      delivery: { type: 'string' },
      update: { type: 'string' },
      binding: { type: 'string' },
      reference: { type: 'string' },
      reason: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'on-bad-rows': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg] = positionals;
  if (!command || values.help) {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  const configFile = values.config ?? defaultConfigFile();

  if (command === 'check-config') return (await import('./check-config.ts')).checkConfig(configFile, process.stdout, { connect: values.connect });

  const config = loadConfig(configFile);
  switch (command) {
    case 'start':
    case 'serve':
    case 'worker':
      return runRoles(config, command);
    case 'migrate': {
      const { connectDatabase, migrate, migratePlugins } = await database();
      const db = connectDatabase({ url: config.database.url, poolMax: 2 });
      const ran = [...(await migrate(db, config)), ...(await migratePlugins(db, (await pluginData(config)).migrations))];
      await db.close();
      process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'database is up to date\n');
      return 0;
    }
    case 'keys':
      return keys(config, sub, arg, values);
    case 'replay':
      return replay(config, values);
    case 'erase':
      return erase(config, values);
    case 'retention':
      return retention(config, values['dry-run'] ?? false);
    case 'staff':
      return (await import('./staff/command.ts')).staffCommand(config, sub, values, process.stdout, process.stderr, USAGE);
    case 'gazetteer':
      return (await import('./gazetteer-command.ts')).gazetteerCommand(config, sub, arg, values, process.stdout, process.stderr);
    case 'services':
      return (await import('./services-command.ts')).servicesCommand(config, sub, values, process.stdout, process.stderr);
    default:
      process.stderr.write(`Unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

async function runRoles(config: Config, command: 'start' | 'serve' | 'worker'): Promise<number> {
  let opened: Hub | undefined;
  const stopSignal = firstStopSignal(() => {
    opened?.log.error('shutdown took too long; exiting');
    process.exit(1);
  });
  // Every role migrates under an advisory lock: the first process to start applies them, the others wait and find none left.
  const { openHub } = await import('./hub.ts');
  const hub = await openHub(config, { role: command, migrate: true });
  opened = hub;
  const stops: (() => Promise<void>)[] = [];
  if (command === 'start' || command === 'serve') {
    // Loaded only for the roles that serve: the HTTP app is about a CPU-second to load, which a worker process
    // and every other command would pay for nothing.
    const { startServe } = await import('./roles/serve.ts');
    const serve = await startServe(hub);
    stops.push(serve.close);
  }
  if (command === 'start' || command === 'worker') {
    const { startWorker } = await import('./roles/worker.ts');
    const worker = await startWorker(hub);
    stops.push(worker.close);
  }
  // Graceful shutdown: stop taking work, let in-flight requests and jobs finish, then close connections.
  const signal = await stopSignal;
  hub.log.info({ signal }, 'shutting down');
  await Promise.all(stops.map((s) => s().catch((err) => hub.log.error({ err }, 'error while stopping'))));
  await hub.close();
  return 0;
}

/**
 * The first SIGTERM or SIGINT. Listening before the roles start means a signal that arrives while they start stops them
 * gracefully once they are up, instead of Node's default (killed mid-start). Repeats are ignored: Ctrl-C under
 * `npm start` reaches the hub twice, from the terminal and forwarded by npm. Shutdown has 30 s from the first signal.
 */
function firstStopSignal(onTimeout: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) return;
      received = true;
      setTimeout(onTimeout, 30_000).unref();
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Key changes made on the command line are audited like API actions, with the operating-system user as the actor. */
async function auditCli(db: Database, action: string, target: string, detail: Record<string, unknown>): Promise<void> {
  const actor = `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
  const { insertAuditEvent } = await import('./governance/audit-repo.ts');
  await insertAuditEvent(db, { actor, action, target, detail });
}

async function keys(
  config: Config,
  sub: string | undefined,
  arg: string | undefined,
  values: { name?: string; services?: string; admin?: boolean; expires?: string; council?: string },
): Promise<number> {
  const { createApiKey, KeyExpiryError, listApiClients, parseKeyExpiry, revokeApiKey } = await import('./auth/api-keys.ts');
  const { connectDatabase, migrate } = await database();
  // A bad expiry is refused before anything else is done.
  let expiresAt: Date | null;
  try {
    expiresAt = sub === 'create' && values.expires !== undefined ? parseKeyExpiry(values.expires) : null;
  } catch (err) {
    if (!(err instanceof KeyExpiryError)) throw err;
    process.stderr.write(`--expires ${err.message}\n`);
    return 1;
  }
  const db = connectDatabase({ url: config.database.url, poolMax: 2 });
  try {
    await migrate(db, config);
    if (sub === 'create') {
      if (!values.name || !(values.services || values.admin)) {
        process.stderr.write('keys create needs --name and --services (comma-separated ids, or *) or --admin\n');
        return 1;
      }
      const services = (values.services ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      // A key of one council sees only that council's processes; without --council it is the hub operator's key.
      const councils = [config.council.id, ...Object.keys(config.councils)];
      if (values.council && !councils.includes(values.council)) {
        process.stderr.write(`--council "${values.council}" is not a council in ${config.file} (known: ${councils.join(', ')})\n`);
        return 1;
      }
      const { client, key } = await createApiKey(db, { name: values.name, services, admin: values.admin ?? false, expiresAt, council: values.council ?? null });
      await auditCli(db, 'api-key.created', client.id, { name: client.name, services, admin: client.admin, council: client.council, expiresAt });
      process.stdout.write(
        `Created API client "${client.name}" (${client.id}) for ${client.council ? `council ${client.council}, ` : ''}${client.admin ? 'ADMIN, ' : ''}services: ${services.join(', ') || '(none)'}\n`,
      );
      process.stdout.write(`Key (shown once, store it safely):\n${key}\n`);
      return 0;
    }
    if (sub === 'list') {
      for (const c of await listApiClients(db)) {
        const state = c.revokedAt ? 'revoked' : c.expiresAt && c.expiresAt < new Date() ? 'expired' : 'active';
        process.stdout.write(
          `${c.id}  ${c.keyPrefix}…  ${state.padEnd(7)}  ${c.council ? `${c.council}: ` : ''}${c.admin ? 'admin ' : ''}${c.services.join(',')}  ${c.name}\n`,
        );
      }
      return 0;
    }
    if (sub === 'revoke' && arg) {
      const n = await revokeApiKey(db, arg);
      if (n) await auditCli(db, 'api-key.revoked', arg, { revoked: n });
      process.stdout.write(n ? `revoked ${n} key(s)\n` : 'no active key matched\n');
      return n ? 0 : 1;
    }
    process.stderr.write(USAGE);
    return 1;
  } finally {
    await db.close();
  }
}

async function replay(config: Config, values: { delivery?: string; update?: string; binding?: string }): Promise<number> {
  if (!values.delivery && !values.update && !values.binding) {
    process.stderr.write('replay needs --delivery <id>, --update <id> or --binding <name>\n');
    return 1;
  }
  const { replayDeliveries } = await import('./delivery/replay.ts');
  const { replayUpdates } = await import('./replies/index.ts');
  const { connectDatabase } = await database();
  const db = connectDatabase({ url: config.database.url, poolMax: 2 });
  const actor = `cli:${process.env.USER ?? 'operator'}`;
  try {
    if (values.update || (values.binding && !values.delivery)) {
      const updates = await replayUpdates(db, { id: values.update, binding: values.update ? undefined : values.binding }, actor);
      process.stdout.write(
        `${updates.length} dead update deliver${updates.length === 1 ? 'y' : 'ies'} queued again${updates.length ? `: ${updates.join(', ')}` : ''}\n`,
      );
      if (values.update) return updates.length ? 0 : 1;
    }
    const ids = await replayDeliveries(db, { id: values.delivery, binding: values.binding }, actor);
    process.stdout.write(`${ids.length} dead deliver${ids.length === 1 ? 'y' : 'ies'} queued again${ids.length ? `: ${ids.join(', ')}` : ''}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

/** Erasure on request, by reference: the same code path as the admin API and retention, audited with the operator's name. */
async function erase(config: Config, values: { reference?: string; reason?: string }): Promise<number> {
  if (!values.reference) {
    process.stderr.write('erase needs --reference <reference> (and, best, --reason "...")\n');
    return 1;
  }
  const { eraseProcess, processIdByReference } = await import('./governance/index.ts');
  const { FilesystemStore } = await import('./documents/index.ts');
  const { connectDatabase, migrate } = await database();
  const db = connectDatabase({ url: config.database.url, poolMax: 2 });
  try {
    await migrate(db, config);
    const id = await processIdByReference(db, values.reference);
    if (!id) {
      process.stderr.write(`No process has the reference "${values.reference}"\n`);
      return 1;
    }
    const { erasers } = await pluginData(config);
    const result = await eraseProcess({ db, store: new FilesystemStore(config.paths.documents), erasers }, id, {
      actor: `cli:${process.env.USER ?? 'operator'}`,
      reason: values.reason ?? null,
      via: 'request',
    });
    process.stdout.write(`${result.message}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

/** Runs the retention sweep now (taking the same lock as the worker's daily job), or lists what it would erase. */
async function retention(config: Config, dryRun: boolean): Promise<number> {
  const { retentionDryRun, retentionPolicies, runRetention } = await import('./governance/index.ts');
  const { FilesystemStore } = await import('./documents/index.ts');
  const { connectDatabase, migrate } = await database();
  const db = connectDatabase({ url: config.database.url, poolMax: 3 });
  try {
    await migrate(db, config);
    const policies = await retentionPolicies(db);
    if (!policies.length) {
      process.stdout.write('No published service sets retention.redactAfterDays: nothing is ever erased by retention\n');
      return 0;
    }
    if (dryRun) {
      const candidates = await retentionDryRun(db);
      for (const c of candidates) {
        const days = Math.floor((Date.now() - c.finishedAt.getTime()) / 86_400_000);
        process.stdout.write(`${c.reference}  ${c.serviceId}  ${c.status} ${c.finishedAt.toISOString()} (${days} days ago; kept ${c.redactAfterDays})\n`);
      }
      process.stdout.write(`${candidates.length} process${candidates.length === 1 ? '' : 'es'} would be erased (dry run: nothing was changed)\n`);
      return 0;
    }
    const outcome = await runRetention({ db, store: new FilesystemStore(config.paths.documents), erasers: (await pluginData(config)).erasers });
    if (!outcome.ran) {
      process.stderr.write('Another process is running retention now; nothing was done\n');
      return 1;
    }
    for (const s of outcome.services)
      process.stdout.write(`${s.serviceId} (kept ${s.redactAfterDays} days): ${s.erased} erased${s.failed ? `, ${s.failed} failed` : ''}\n`);
    process.stdout.write(`${outcome.erased} process${outcome.erased === 1 ? '' : 'es'} erased\n`);
    return outcome.failed ? 1 : 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration problems:\n${err.message}\n`);
    } else {
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
    }
    process.exitCode = 1;
  },
);
