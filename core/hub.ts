// The hub's shared runtime: config, database, services, document store, logger. Each role (serve, worker) builds on it.
import { ConfigError, type Config } from './config/index.ts';
import { resolveRuntimeConfig } from './config/generated-secrets.ts';
import { connectDatabase, migrate, migratePlugins, type Database } from './db/index.ts';
import { ensureDatabase } from './db/ensure-database.ts';
import { FilesystemStore, type DocumentStore } from './documents/index.ts';
import { createLogger, type Logger } from './log.ts';
import { councilContext, loadServiceFiles, ServiceCatalogue } from './services/index.ts';
import { Registry } from './plugins/registry.ts';
import { pluginData, type PluginEraser } from './plugins/plugin-data.ts';
import { Councils } from './councils.ts';
import { PgListener } from './db/pg-listener.ts';
import { syncUploadedXsd, syncUploadedXsds, XSD_UPLOADS_CHANNEL } from './xml/index.ts';
import { addressConfigProblems } from './address/index.ts';
import { loadBoundaries, routingProblems, type Boundaries } from './boundary/index.ts';

export interface Hub {
  config: Config;
  log: Logger;
  /** Postgres: every statement goes through a repository module (`*-repo.ts`) on this. */
  db: Database;
  catalogue: ServiceCatalogue;
  /** The councils sharing this hub and which owns each service. */
  councils: Councils;
  /** The councils' areas (closeloop.yaml `boundary`), loaded once at start. */
  boundaries: Boundaries;
  store: DocumentStore;
  /** Connectors, channels and address providers, built-in and third-party. */
  registry: Registry;
  /** The erasure hooks of the plugins config uses (plugins that keep citizens' data of their own). */
  erasers: PluginEraser[];
  /** Things to close on shutdown, last registered first. */
  onClose(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface OpenHubOptions {
  role: string;
  /** Run migrations first (start, migrate); other roles only check. */
  migrate?: boolean;
  logger?: Logger;
}

export async function openHub(config: Config, options: OpenHubOptions): Promise<Hub> {
  const log = options.logger ?? createLogger(config.log.level, options.role);
  if (options.migrate && (await ensureDatabase(config.database.url))) log.info('created the database');
  const db = connectDatabase({
    url: config.database.url,
    poolMax: config.database.poolMax,
    applicationName: `closeloop-${options.role}`,
    // The worker role writes only what it can write again: outbox states (a crash sends a row round again), a
    // delivery's outcome (delivered again under the same idempotency key), a message sent (sent again, at worst), a
    // poll's cursor (polled again). Waiting for the disk on each of those commits queued every commit behind the others'
    // fsyncs: the note → e-mail tail (issue 21). What the hub accepts from outside (submissions, notes, staff actions)
    // is written by the serve role, whose commits still wait for the disk; `start` runs both roles on one pool, so it waits.
    asyncCommit: options.role === 'worker',
  });
  const closers: (() => Promise<void>)[] = [async () => db.close()];
  try {
    const registry = new Registry();
    await registry.loadPlugins(config.plugins, config.dir);
    // Each council's address provider and its settings, checked now rather than at a citizen's first lookup.
    const addressProblems = await addressConfigProblems(config, registry);
    if (addressProblems.length) throw new ConfigError(addressProblems);
    const plugins = await pluginData(registry, config);
    if (options.migrate) {
      // The hub's tables first, then the tables of the plugins config uses (each under the migration lock).
      const ran = [...(await migrate(db, config)), ...(await migratePlugins(db, plugins.migrations))];
      if (ran.length) log.info({ migrations: ran }, 'database migrated');
    }
    await resolveRuntimeConfig(db, config);
    // XSDs uploaded in the staff console: materialised from Postgres now, and again whenever any process uploads one.
    await syncUploadedXsds(db);
    const xsdListener = new PgListener(
      config.database.url,
      XSD_UPLOADS_CHANNEL,
      (payload) => void syncUploadedXsd(db, payload).catch((err: unknown) => log.warn({ err }, 'could not materialise an uploaded XSD')),
      log,
    );
    await xsdListener.start();
    closers.push(() => xsdListener.stop());
    const loaded = loadServiceFiles(config.paths.services, {
      bindings: new Set(Object.keys(config.bindings)),
      channels: new Set(Object.keys(config.channels)),
      xsdDir: config.paths.xsd,
      serviceBindings: config.serviceBindings,
      councils: councilContext(config),
      configFile: config.file,
    });
    if (loaded.problems.length) throw new ConfigError(loaded.problems);
    const { boundaries, problems: boundaryProblems } = loadBoundaries(config);
    const placeProblems = [...boundaryProblems, ...routingProblems(config, loaded.services, boundaries)];
    if (placeProblems.length) throw new ConfigError(placeProblems);
    const catalogue = new ServiceCatalogue(db);
    await catalogue.syncFromConfig(loaded.services.map((s) => s.definition));
    const store = new FilesystemStore(config.paths.documents);
    let closed = false;
    return {
      config,
      log,
      db,
      catalogue,
      councils: new Councils(config),
      boundaries,
      store,
      registry,
      erasers: plugins.erasers,
      onClose: (fn) => closers.push(fn),
      async close() {
        if (closed) return;
        closed = true;
        for (const fn of closers.reverse()) {
          await fn().catch((err) => log.warn({ err }, 'error while closing'));
        }
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
