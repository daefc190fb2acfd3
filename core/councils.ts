// Councils sharing one hub. Each owns services (a definition's `council`), bindings, API keys and its branding; the
// hub's own council (`council:` in closeloop.yaml) owns everything that names no other.
import { extname, resolve } from 'node:path';
import type { Config } from './config/index.ts';
import type { ServiceCatalogue } from './services/index.ts';
import { WorkingCalendar, type Region } from './calendar/index.ts';

export interface Council {
  id: string;
  name: string;
  senderEmail?: string;
  /** Where the hub serves the council's logo, if it has one. */
  logoUrl?: string;
  /** The logo file on disk and its type. */
  logo?: { file: string; contentType: string };
  /** Its working days (bank holidays of its part of the UK, its own days off): when its tasks' targets fall due. */
  calendar: WorkingCalendar;
}

export class Councils {
  private readonly byId = new Map<string, Council>();
  readonly defaultId: string;

  constructor(config: Config) {
    this.defaultId = config.council.id;
    const add = (id: string, c: { name: string; senderEmail?: string; logo?: string; bankHolidays?: Region; extraHolidays?: string[] }) =>
      this.byId.set(id, {
        id,
        name: c.name,
        senderEmail: c.senderEmail,
        calendar: new WorkingCalendar({ bankHolidays: c.bankHolidays ?? 'england-and-wales', extraHolidays: c.extraHolidays ?? [] }),
        ...(c.logo
          ? {
              logoUrl: `/councils/${id}/logo`,
              logo: { file: resolve(config.dir, c.logo), contentType: extname(c.logo).toLowerCase() === '.svg' ? 'image/svg+xml' : 'image/png' },
            }
          : {}),
      });
    add(config.council.id, config.council);
    for (const [id, c] of Object.entries(config.councils)) add(id, c);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string | null | undefined): Council {
    return this.byId.get(id ?? this.defaultId) ?? this.byId.get(this.defaultId)!;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The council that owns a service (its published definition's `council`, else the hub's own). */
  idOfService(catalogue: ServiceCatalogue, serviceId: string): string {
    return (catalogue.has(serviceId) ? catalogue.get(serviceId).definition.council : undefined) ?? this.defaultId;
  }

  ofService(catalogue: ServiceCatalogue, serviceId: string): Council {
    return this.get(this.idOfService(catalogue, serviceId));
  }

  /** The working days of the council that owns a service. */
  calendarOf(catalogue: ServiceCatalogue, serviceId: string): WorkingCalendar {
    return this.ofService(catalogue, serviceId).calendar;
  }

  /** Ids of the published services a council owns. */
  servicesOf(catalogue: ServiceCatalogue, councilId: string): string[] {
    return catalogue
      .list()
      .filter((sv) => (sv.definition.council ?? this.defaultId) === councilId)
      .map((sv) => sv.definition.id);
  }
}
