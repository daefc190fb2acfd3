// A faithful fake of the Alloy v2 API parts the connector uses, checking what the real one checks: the Bearer key,
// design and attribute codes, file item ids in attachment attributes, GeoJSON geometry, and the item's signature on PUT
// (ItemSignatureMismatch when stale). As in Alloy, an uploaded file is itself an item (design `designs_files`, its name
// in `attributes_filesOriginalName`, RFC 6266 `filename*` preferred over `filename`) that GET /api/item and AQS find.
// It answers AQS queries (And/Or of Equals on an attribute, GreaterThan on lastEditDate), records every request,
// rate-limits like a tenant does, and can be scripted to fail, hang or lose its answer.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeDesign {
  code: string;
  attributes: string[];
}

export interface FakeItem {
  itemId: string;
  designCode: string;
  collectionCode: string;
  signature: string;
  lastEditDate: string;
  attributes: { attributeCode: string; value: unknown }[];
  geometry?: { type: string; coordinates: number[] };
  parents?: Record<string, string[]>;
}

export interface FakeFile {
  fileItemId: string;
  name: string;
  contentType: string;
  content: Buffer;
}

/** A status; 'timeout': never answer; 'drop': act, then cut the connection (the answer is lost). */
export type AlloyStep = number | 'timeout' | 'drop' | { status: number; retryAfter?: string } | 'signature-mismatch';

export interface AlloyRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeAlloy {
  url: string;
  items: Map<string, FakeItem>;
  files: Map<string, FakeFile>;
  requests: AlloyRequest[];
  /** Scripts the answers to the next requests of a route ("POST /api/item" by default: the create). */
  script(steps: AlloyStep[], route?: string): void;
  /** What an officer does in Alloy: changes attributes (a new signature and lastEditDate). */
  edit(itemId: string, attributes: Record<string, unknown>): FakeItem;
  /** Items of a design (what "records" means for the contract suite). */
  itemsOf(designCode: string): FakeItem[];
  /** File names uploaded more than once (a connector that is careful with retries never does). */
  duplicateUploads(): string[];
  reset(): void;
  close(): Promise<void>;
}

export interface FakeAlloyOptions {
  apiKey: string;
  designs: FakeDesign[];
  /** Requests per second per key before 429 (Alloy disables keys that keep exceeding it). */
  limitPerSecond?: number;
  /** Designs the key's role may not query (Alloy answers 403). */
  forbiddenDesigns?: string[];
}

const objectId = () => randomBytes(12).toString('hex');

/** Alloy's built-in design of file items, and the attribute holding a file's name. */
export const FILES_DESIGN = 'designs_files';
export const FILE_NAME_ATTRIBUTE = 'attributes_filesOriginalName';

/** The file name a Content-Disposition header gives: filename* (UTF-8) when present, else filename. */
function dispositionName(header: string): string | undefined {
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // a malformed filename*: fall back to filename
    }
  }
  return /filename="([^"]+)"/.exec(header)?.[1];
}

export async function startFakeAlloy(options: FakeAlloyOptions): Promise<FakeAlloy> {
  const designs = new Map([...options.designs, { code: FILES_DESIGN, attributes: [FILE_NAME_ATTRIBUTE] }].map((d) => [d.code, d]));
  const items = new Map<string, FakeItem>();
  const files = new Map<string, FakeFile>();
  const requests: AlloyRequest[] = [];
  const scripts = new Map<string, AlloyStep[]>();
  const recent: number[] = [];
  let clock = Date.now();
  // Strictly increasing edit times, as Alloy's are per item.
  const now = () => new Date((clock = Math.max(clock + 1, Date.now()))).toISOString();

  const error = (res: http.ServerResponse, status: number, codeString: string, message: string, headers: Record<string, string> = {}) =>
    void res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify({ errorCode: status * 10, errorCodeString: codeString, debugErrorMessage: message }));
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  function validAttributes(design: FakeDesign, attributes: unknown): string | null {
    if (!Array.isArray(attributes)) return 'attributes must be an array';
    for (const a of attributes as { attributeCode?: unknown; value?: unknown }[]) {
      if (typeof a?.attributeCode !== 'string' || !design.attributes.includes(a.attributeCode)) return `AttributeNotFound:${String(a?.attributeCode)}`;
      if (a.attributeCode.toLowerCase().includes('attachments')) {
        if (!Array.isArray(a.value) || a.value.some((id) => !files.has(String(id))))
          return `ValidationFailed:${a.attributeCode} must list uploaded file item ids`;
      }
    }
    return null;
  }

  function validGeometry(g: unknown): boolean {
    const p = g as { type?: string; coordinates?: unknown[] };
    if (p?.type !== 'Point' || !Array.isArray(p.coordinates) || p.coordinates.length !== 2) return false;
    const [lon, lat] = p.coordinates as number[];
    return typeof lon === 'number' && typeof lat === 'number' && Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
  }

  function matches(item: FakeItem, node: { type?: string; children?: unknown[] }): boolean {
    const [left, right] = (node.children ?? []) as { type?: string; properties?: Record<string, unknown> }[];
    const expected = (right?.properties?.value as unknown[] | undefined)?.[0];
    if (node.type === 'And') return (node.children as never[]).every((c) => matches(item, c));
    if (node.type === 'Or') return (node.children as never[]).some((c) => matches(item, c));
    if (node.type === 'Equals' && left?.type === 'Attribute') {
      const v = item.attributes.find((a) => a.attributeCode === left.properties?.attributeCode)?.value;
      return v === expected;
    }
    if (node.type === 'GreaterThan' && left?.type === 'ItemProperty' && left.properties?.itemPropertyName === 'lastEditDate') {
      return Date.parse(item.lastEditDate) > Date.parse(String(expected));
    }
    throw new Error(`unsupported AQS node ${node.type}`);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://alloy');
    const route = `${req.method} ${url.pathname.replace(/\/api\/item\/[^/]+$/, '/api/item/:id').replace(/\/api\/design\/[^/]+$/, '/api/design/:code')}`;
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body });
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return error(res, 401, 'Unauthorized', 'The API key is not valid');
    if (options.limitPerSecond) {
      const t = Date.now();
      while (recent.length && recent[0]! < t - 1000) recent.shift();
      recent.push(t);
      if (recent.length > options.limitPerSecond) return error(res, 429, 'TooManyRequests', 'Rate limit exceeded', { 'retry-after': '1' });
    }
    const step = scripts.get(route)?.shift();
    if (step === 'timeout') return;
    if (typeof step === 'number' || (typeof step === 'object' && step)) {
      const s = typeof step === 'number' ? { status: step } : step;
      return error(
        res,
        s.status,
        s.status === 429 ? 'TooManyRequests' : 'Scripted',
        `scripted ${s.status}`,
        s.retryAfter ? { 'retry-after': s.retryAfter } : {},
      );
    }
    const reply = (status: number, payload: unknown) => (step === 'drop' ? void res.socket?.destroy() : json(res, status, payload));

    const parse = (): Record<string, unknown> | null => {
      try {
        return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return null;
      }
    };

    if (route === 'GET /api/design/:code') {
      const design = designs.get(decodeURIComponent(url.pathname.split('/').pop()!));
      if (!design) return error(res, 404, 'DesignNotFound', 'No such design');
      return json(res, 200, { design: { code: design.code, attributes: design.attributes.map((code) => ({ code, name: code })) } });
    }
    if (route === 'POST /api/file') {
      const name = dispositionName(String(req.headers['content-disposition'] ?? ''));
      if (!name) return error(res, 400, 'ValidationFailed', 'content-disposition with a filename is required');
      if (!body.length) return error(res, 400, 'ValidationFailed', 'empty file');
      const fileItemId = objectId();
      files.set(fileItemId, { fileItemId, name, contentType: String(req.headers['content-type'] ?? ''), content: body });
      items.set(fileItemId, {
        itemId: fileItemId,
        designCode: FILES_DESIGN,
        collectionCode: 'Live',
        signature: objectId(),
        lastEditDate: now(),
        attributes: [{ attributeCode: FILE_NAME_ATTRIBUTE, value: name }],
      });
      return reply(200, { fileItemId });
    }
    if (route === 'POST /api/item') {
      const b = parse();
      if (!b) return error(res, 400, 'ValidationFailed', 'body is not JSON');
      const design = designs.get(String(b.designCode));
      if (!design) return error(res, 400, 'DesignNotFound', `No design ${String(b.designCode)}`);
      if (design.code === FILES_DESIGN) return error(res, 400, 'ValidationFailed', 'file items are made by POST /api/file');
      if (b.collectionCode !== 'Live') return error(res, 400, 'ValidationFailed', 'collectionCode must be Live');
      const bad = validAttributes(design, b.attributes);
      if (bad) return error(res, 400, bad.split(':')[0]!, bad);
      if (b.geometry !== undefined && !validGeometry(b.geometry)) return error(res, 400, 'ValidationFailed', 'geometry must be a GeoJSON Point [lon, lat]');
      const item: FakeItem = {
        itemId: objectId(),
        designCode: design.code,
        collectionCode: 'Live',
        signature: objectId(),
        lastEditDate: now(),
        attributes: b.attributes as FakeItem['attributes'],
        ...(b.geometry ? { geometry: b.geometry as FakeItem['geometry'] } : {}),
        ...(b.parents ? { parents: b.parents as FakeItem['parents'] } : {}),
      };
      items.set(item.itemId, item);
      return reply(200, { item });
    }
    if (route === 'GET /api/item/:id') {
      const item = items.get(url.pathname.split('/').pop()!);
      return item ? reply(200, { item }) : error(res, 404, 'ItemNotFound', 'No such item');
    }
    if (route === 'PUT /api/item/:id') {
      const item = items.get(url.pathname.split('/').pop()!);
      if (!item) return error(res, 404, 'ItemNotFound', 'No such item');
      const b = parse();
      if (!b) return error(res, 400, 'ValidationFailed', 'body is not JSON');
      if (step === 'signature-mismatch' || b.signature !== item.signature)
        return error(res, 400, 'ItemSignatureMismatch', 'The item was changed by someone else');
      const bad = validAttributes(designs.get(item.designCode)!, b.attributes);
      if (bad) return error(res, 400, bad.split(':')[0]!, bad);
      for (const a of b.attributes as FakeItem['attributes']) {
        item.attributes = [...item.attributes.filter((x) => x.attributeCode !== a.attributeCode), a];
      }
      item.signature = objectId();
      item.lastEditDate = now();
      return reply(200, { item });
    }
    if (route === 'POST /api/aqs/query') {
      const aqs = parse()?.aqs as { type?: string; properties?: { dodiCode?: string; collectionCode?: string[] }; children?: unknown[] } | undefined;
      if (aqs?.type !== 'Query' || !designs.has(String(aqs.properties?.dodiCode)))
        return error(res, 400, 'ValidationFailed', 'aqs must be a Query on a known design');
      if (options.forbiddenDesigns?.includes(String(aqs.properties?.dodiCode)))
        return error(res, 403, 'Forbidden', 'The role of this key may not read this design');
      const page = Number(url.searchParams.get('page') ?? 1);
      const pageSize = Number(url.searchParams.get('pageSize') ?? 20);
      let found: FakeItem[];
      try {
        found = [...items.values()].filter(
          (i) =>
            i.designCode === aqs.properties!.dodiCode &&
            (aqs.properties!.collectionCode ?? ['Live']).includes(i.collectionCode) &&
            (aqs.children ?? []).every((c) => matches(i, c as never)),
        );
      } catch (err) {
        return error(res, 400, 'ValidationFailed', (err as Error).message);
      }
      found.sort((a, b) => a.lastEditDate.localeCompare(b.lastEditDate));
      return reply(200, {
        results: found.slice((page - 1) * pageSize, page * pageSize),
        page,
        pageSize,
        totalPages: Math.max(1, Math.ceil(found.length / pageSize)),
        totalResults: found.length,
      });
    }
    return error(res, 404, 'NotFound', `no route ${route}`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    items,
    files,
    requests,
    script(steps, route = 'POST /api/item') {
      scripts.set(route, [...(scripts.get(route) ?? []), ...steps]);
    },
    edit(itemId, attributes) {
      const item = items.get(itemId);
      if (!item) throw new Error(`no item ${itemId}`);
      for (const [attributeCode, value] of Object.entries(attributes)) {
        item.attributes = [...item.attributes.filter((x) => x.attributeCode !== attributeCode), { attributeCode, value }];
      }
      item.signature = objectId();
      item.lastEditDate = now();
      return item;
    },
    itemsOf(designCode) {
      return [...items.values()].filter((i) => i.designCode === designCode);
    },
    duplicateUploads() {
      const seen = new Map<string, number>();
      for (const f of files.values()) seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
      return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
    },
    reset() {
      items.clear();
      files.clear();
      requests.length = 0;
      scripts.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
