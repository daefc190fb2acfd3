// `closeloop services list [--council ID] [--json]`: the published services in the database, as the citizen home page
// lists them (by council when the hub has several, then by category, A–Z), with what an operator needs beside each:
// reference prefix, published version and the bindings that receive its submissions.
import type { Config } from './config/index.ts';
import { connectDatabase, migrate } from './db/index.ts';
import { categoryLabel, groupByCategory, ServiceCatalogue, type ServiceVersion } from './services/index.ts';

export interface ServicesCommandOptions {
  council?: string;
  json?: boolean;
}

/** One line of the listing; the --json output is a list of these. */
export interface ServiceListing {
  id: string;
  title: string;
  council: string;
  category: string | null;
  categoryLabel: string | null;
  referencePrefix: string;
  version: number;
  bindings: string[];
}

const USAGE = 'closeloop services list [--council ID] [--json]\n';

export async function servicesCommand(
  config: Config,
  sub: string | undefined,
  values: ServicesCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  if (sub !== 'list') {
    err.write(`Usage: ${USAGE}`);
    return 1;
  }
  const councils = [config.council.id, ...Object.keys(config.councils)];
  if (values.council !== undefined && !councils.includes(values.council)) {
    err.write(`--council "${values.council}" is not a council in ${config.file} (known: ${councils.join(', ')})\n`);
    return 1;
  }
  const db = connectDatabase({ url: config.database.url, poolMax: 2 });
  let published: ServiceVersion[];
  try {
    await migrate(db, config);
    const catalogue = new ServiceCatalogue(db);
    await catalogue.reload();
    published = catalogue.list();
  } finally {
    await db.close();
  }
  const ownerOf = (sv: ServiceVersion) => sv.definition.council ?? config.council.id;
  const shown = values.council === undefined ? councils : [values.council];
  const sections = shown.map((council) => ({
    council,
    groups: groupByCategory(
      published.filter((sv) => ownerOf(sv) === council),
      (sv) => sv.definition.category,
      (sv) => sv.definition.title,
    ),
  }));

  if (values.json) {
    const services = sections.flatMap((s) => s.groups.flatMap((g) => g.services.map((sv) => listing(sv, s.council))));
    out.write(`${JSON.stringify({ services }, null, 2)}\n`);
    return 0;
  }
  const nameOf = (id: string) => (id === config.council.id ? config.council.name : config.councils[id]!.name);
  const lines: string[] = [];
  for (const { council, groups } of sections) {
    // A council heading only where there is more than one council to tell apart.
    if (councils.length > 1) lines.push(`${lines.length ? '\n' : ''}${nameOf(council)} (${council})`);
    if (!groups.length) lines.push('  No published services');
    const rows = groups.flatMap((g) => g.services.map((sv) => listing(sv, council)));
    const idWidth = Math.max(...rows.map((r) => r.id.length), 0);
    const titleWidth = Math.max(...rows.map((r) => r.title.length), 0);
    for (const g of groups) {
      lines.push(`${councils.length > 1 ? '  ' : ''}${g.label}`);
      for (const r of g.services.map((sv) => listing(sv, council)))
        lines.push(
          `${councils.length > 1 ? '    ' : '  '}${r.id.padEnd(idWidth)}  ${r.title.padEnd(titleWidth)}  ${r.referencePrefix.padEnd(6)}  v${String(r.version).padEnd(3)}  ${r.bindings.join(', ') || '(no bindings)'}`,
        );
    }
  }
  out.write(`${lines.join('\n')}\n`);
  return 0;
}

function listing(sv: ServiceVersion, council: string): ServiceListing {
  const def = sv.definition;
  return {
    id: sv.serviceId,
    title: def.title,
    council,
    category: def.category ?? null,
    categoryLabel: categoryLabel(def.category) ?? null,
    referencePrefix: def.referencePrefix,
    version: sv.version,
    bindings: def.bindings,
  };
}
