// Deliveries as staff see them: the same queries and replay as the admin API (core/http/routes/admin-deliveries.ts), with
// the same council scoping. Operators and hub-wide auditors see every delivery; a council admin or auditor sees its
// council's services' deliveries; caseworkers see none. Another council's delivery is not found (404), never forbidden.
import type { Hub } from '../hub.ts';
import { NotFoundError } from '../errors.ts';
import {
  countReplayableDead,
  deliveryAttempts,
  findDelivery,
  processXmlDocument,
  searchDeliveries,
  type AttemptRow,
  type DeliveryRow,
} from '../delivery/delivery-log-repo.ts';
import { replayDeliveries } from '../delivery/replay.ts';
import { loadXsd, prettyXml, validateXml, type XsdError } from '../xml/index.ts';
import { staffMaySeeBinding } from './scope.ts';
import { staffActor, type StaffUser } from './types.ts';

export const DELIVERY_STATUSES = ['pending', 'queued', 'delivering', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryFilter {
  status: DeliveryStatus | null;
  binding: string | null;
  serviceId: string | null;
  /** UK dates, "2026-10-01", both included. */
  submittedFrom: string | null;
  submittedTo: string | null;
  /** From 1. */
  page: number;
}

export interface DeliveryChoices {
  bindings: { name: string; label: string }[];
  services: { id: string; title: string }[];
}

/** Counted no further: "more than 1,000 deliveries" (a hub's full history is a million). */
const DELIVERY_COUNT_LIMIT = 1000;

export interface DeliveryPage {
  rows: DeliveryRow[];
  /** How many match, up to countLimit + 1 (more than countLimit), as the cases page counts. */
  count: number;
  countLimit: number;
  /** More match than countLimit: the number of pages is not known. */
  more: boolean;
  page: number;
  /** The last page, or null when more match than were counted. */
  pages: number | null;
  /** Whether a page follows this one. */
  hasNext: boolean;
  pageSize: number;
}

export interface XmlSent {
  /** Indented for reading. */
  text: string;
  /** The service version's XSD, as config names it; null when the version has no XML mapping any more. */
  xsd: string | null;
  valid: boolean | null;
  errors: XsdError[];
}

export interface DeliveryDetail {
  delivery: DeliveryRow;
  attempts: (AttemptRow & { durationMs: number })[];
  xml: XmlSent | null;
  bindingLabel: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The services whose deliveries the person sees (null: every one), as the admin API scopes a council's key.
 * Caseworkers work on cases, not on deliveries: for them there are no deliveries to find.
 */
export function deliveryScope(hub: Hub, user: StaffUser): string[] | null {
  if (user.role === 'caseworker') throw new NotFoundError('Page not found');
  return user.council === null ? null : hub.councils.servicesOf(hub.catalogue, user.council);
}

/** Whether the person may replay dead deliveries (auditors only read). */
export function staffMayReplay(user: StaffUser): boolean {
  return user.role === 'operator' || user.role === 'council-admin';
}

/** How a back office is named to staff: its description from config, else its name. */
export function bindingLabel(hub: Hub, binding: string): string {
  return hub.config.bindings[binding]?.description ?? binding;
}

/** The back offices and services the person may filter by. */
export function deliveryChoices(hub: Hub, user: StaffUser): DeliveryChoices {
  const scope = deliveryScope(hub, user);
  const services = hub.catalogue.list().filter((s) => scope === null || scope.includes(s.definition.id));
  const names = new Set<string>();
  for (const [name, b] of Object.entries(hub.config.bindings)) if (scope === null || staffMaySeeBinding(user, b.council)) names.add(name);
  // A council's services may send to a shared back office: its deliveries of them are the council's to see.
  for (const s of services) for (const b of s.definition.bindings ?? []) if (hub.config.bindings[b]) names.add(b);
  return {
    bindings: [...names].sort().map((name) => ({ name, label: bindingLabel(hub, name) })),
    services: services.map((s) => ({ id: s.definition.id, title: s.definition.title })),
  };
}

export async function findStaffDeliveries(hub: Hub, user: StaffUser, filter: DeliveryFilter, pageSize = 50): Promise<DeliveryPage> {
  const services = deliveryScope(hub, user);
  const page = Math.max(1, filter.page);
  const { rows, total: counted } = await searchDeliveries(hub.db, {
    status: filter.status,
    binding: filter.binding,
    serviceId: filter.serviceId,
    submittedFrom: filter.submittedFrom,
    submittedTo: filter.submittedTo,
    services,
    // One row more than a page says whether another follows.
    limit: pageSize + 1,
    offset: (page - 1) * pageSize,
    countUpTo: DELIVERY_COUNT_LIMIT + 1,
  });
  const more = counted > DELIVERY_COUNT_LIMIT;
  return {
    rows: rows.slice(0, pageSize),
    count: counted,
    countLimit: DELIVERY_COUNT_LIMIT,
    more,
    page,
    pages: more ? null : Math.max(1, Math.ceil(counted / pageSize)),
    hasNext: rows.length > pageSize,
    pageSize,
  };
}

/** One delivery with its attempt log and the XML sent, validated again against its service version's XSD. */
export async function readStaffDelivery(hub: Hub, user: StaffUser, id: string): Promise<DeliveryDetail> {
  const services = deliveryScope(hub, user);
  const delivery = UUID.test(id) ? await findDelivery(hub.db, id, services) : undefined;
  if (!delivery) throw new NotFoundError('There is no such delivery');
  const [attempts, doc] = await Promise.all([deliveryAttempts(hub.db, id), processXmlDocument(hub.db, delivery.processId)]);
  let xml: XmlSent | null = null;
  if (doc) {
    const text = (doc.content ?? (await hub.store.read(doc.storageKey!))).toString('utf8');
    xml = { text: prettyXml(text), ...(await checkXml(hub, delivery, text)) };
  }
  return {
    delivery,
    attempts: attempts.map((a) => ({ ...a, durationMs: a.endedAt.getTime() - a.startedAt.getTime() })),
    xml,
    bindingLabel: bindingLabel(hub, delivery.binding),
  };
}

/** Validates what was sent (the bytes kept, not the indented text) with the XSD its service version names. */
async function checkXml(hub: Hub, delivery: DeliveryRow, text: string): Promise<Omit<XmlSent, 'text'>> {
  const service = await hub.catalogue.getVersion(delivery.serviceId, delivery.serviceVersion).catch(() => null);
  const xsd = service?.definition.xml?.xsd ?? null;
  if (!xsd) return { xsd: null, valid: null, errors: [] };
  try {
    return { xsd, ...validateXml(text, loadXsd(hub.config.paths.xsd, xsd)) };
  } catch (err) {
    return { xsd, valid: false, errors: [{ message: `The XSD could not be loaded: ${(err as Error).message}`, line: null, element: null }] };
  }
}

/** Sends a dead delivery again; false when it is not dead (any more). Another council's: not found. */
export async function replayStaffDelivery(hub: Hub, user: StaffUser, id: string): Promise<boolean> {
  const services = deliveryScope(hub, user);
  const delivery = UUID.test(id) ? await findDelivery(hub.db, id, services) : undefined;
  if (!delivery) throw new NotFoundError('There is no such delivery');
  const replayed = await replayDeliveries(hub.db, { id, services }, staffActor(user));
  return replayed.length > 0;
}

/** How many dead deliveries of a back office the person's replay would send again. */
export async function deadDeliveriesOf(hub: Hub, user: StaffUser, binding: string): Promise<number> {
  const services = deliveryScope(hub, user);
  checkBinding(hub, user, binding);
  return countReplayableDead(hub.db, binding, services);
}

/** Sends every dead delivery of a back office again (of the person's council's services); answers how many. */
export async function replayDeadOf(hub: Hub, user: StaffUser, binding: string): Promise<number> {
  const services = deliveryScope(hub, user);
  checkBinding(hub, user, binding);
  return (await replayDeliveries(hub.db, { binding, services }, staffActor(user))).length;
}

function checkBinding(hub: Hub, user: StaffUser, binding: string): void {
  if (!deliveryChoices(hub, user).bindings.some((b) => b.name === binding)) throw new NotFoundError('There is no such back office');
}
