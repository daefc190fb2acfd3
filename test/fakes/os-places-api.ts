// A faithful fake of the OS Places API (https://api.os.uk/search/places/v1): the `key` (header or query parameter) is
// enforced first (401 in OS's `{ error: { statuscode, message } }` shape), then each resource's query parameters are
// checked as OS documents them (postcode form, dataset values, lr, output_srs, maxresults 1–100, offset, point "x,y" to two
// decimals inside the grid, radius 0.01–1000, UPRN digits) with 400s in the same shape; answers carry OS's `header`
// and, only when something matched, `results` of `{ DPA }` / `{ LPI }` records (test/fakes/os-places-records.ts).
// Stricter than OS in one way, to catch typos: a parameter a resource does not take is a 400 here.
// Every request is recorded (without the key), and the fake can be told to fail: 500, 503, 429, a timeout, a reset.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_RECORDS, type FakeRecord } from './os-places-records.ts';

export type Resource = 'postcode' | 'find' | 'uprn' | 'nearest';
export type Failure = 500 | 503 | 429 | 'timeout' | 'reset';

export interface SeenRequest {
  method: string;
  resource: string;
  /** The query parameters, without `key`. */
  params: Record<string, string>;
  /** Where the key came: the `key` header, the `key` query parameter, or nowhere. */
  keyVia: 'header' | 'query' | null;
  keyValid: boolean;
  status: number;
}

export interface FakeOsPlaces {
  /** The base URL, as the provider's baseUrl: http://127.0.0.1:PORT/search/places/v1 */
  url: string;
  key: string;
  requests: SeenRequest[];
  /** The next `n` authenticated requests fail this way. */
  failNext(n: number, failure: Failure): void;
  close(): Promise<void>;
}

const BASE = '/search/places/v1/';
const COMMON = ['format', 'dataset', 'lr', 'output_srs', 'fq'];
const PARAMS: Record<Resource, { required: string; optional: string[] }> = {
  postcode: { required: 'postcode', optional: [...COMMON, 'maxresults', 'offset'] },
  find: { required: 'query', optional: [...COMMON, 'maxresults', 'offset', 'minmatch', 'matchprecision', 'bbox'] },
  uprn: { required: 'uprn', optional: COMMON },
  nearest: { required: 'point', optional: [...COMMON, 'radius', 'srs'] },
};
const SRS = ['BNG', 'EPSG:27700', 'WGS84', 'EPSG:4326', 'EPSG:3857', 'EPSG:4258'];

class BadRequest extends Error {}

export async function startFakeOsPlaces(options: { key?: string } = {}): Promise<FakeOsPlaces> {
  const key = options.key ?? 'fakeOsPlacesKey0123456789abcdef';
  const requests: SeenRequest[] = [];
  let failures: { n: number; failure: Failure } = { n: 0, failure: 500 };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const params = Object.fromEntries([...url.searchParams].filter(([name]) => name !== 'key'));
    const headerKey = typeof req.headers.key === 'string' ? req.headers.key : undefined;
    const queryKey = url.searchParams.get('key') ?? undefined;
    const given = headerKey ?? queryKey;
    const seen: SeenRequest = {
      method: req.method ?? '',
      resource: url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname,
      params,
      keyVia: headerKey !== undefined ? 'header' : queryKey !== undefined ? 'query' : null,
      keyValid: given === key,
      status: 0,
    };
    requests.push(seen);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      seen.status = status;
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers }).end(JSON.stringify(body));
    };
    const error = (status: number, message: string) => send(status, { error: { statuscode: status, message } });

    if (!given || given !== key) return error(401, 'Missing or unsupported API key provided.');
    if (failures.n > 0) {
      failures.n--;
      const { failure } = failures;
      if (failure === 'timeout') return; // never answers; close() ends the socket
      if (failure === 'reset') return req.socket.destroy();
      if (failure === 429)
        return send(
          429,
          { fault: { faultstring: 'Rate limit quota violation. Quota limit exceeded.', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } } },
          { 'retry-after': '60' },
        );
      return error(failure, failure === 503 ? 'The service is temporarily unavailable.' : 'The provided request resulted in an internal server error.');
    }
    const resource = seen.resource as Resource;
    if (!url.pathname.startsWith(BASE) || !(resource in PARAMS)) return error(404, `Resource ${url.pathname} not found.`);
    if (req.method !== 'GET') return error(405, `Requested method ${req.method} is not supported for this resource.`);
    try {
      const answer = respond(resource, params, `${url.origin.replace('fake', req.headers.host ?? 'fake')}${url.pathname}${url.search}`);
      send(200, answer);
    } catch (err) {
      if (err instanceof BadRequest) return error(400, err.message);
      throw err;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/search/places/v1`,
    key,
    requests,
    failNext(n, failure) {
      failures = { n, failure };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Checks the parameters as OS does and answers from the fake's records. */
function respond(resource: Resource, params: Record<string, string>, uri: string) {
  const { required, optional } = PARAMS[resource];
  for (const name of Object.keys(params))
    if (name !== required && !optional.includes(name))
      throw new BadRequest(`Requested parameter '${name}' is not a valid parameter for the ${resource} resource.`);
  if (!params[required]?.trim()) throw new BadRequest(`Requested parameter '${required}' is missing.`);
  const datasets = (params.dataset ?? 'DPA').split(',').map((d) => d.trim().toUpperCase());
  if (!datasets.every((d) => d === 'DPA' || d === 'LPI')) throw new BadRequest(`Requested dataset '${params.dataset}' is invalid. Valid values are DPA, LPI.`);
  const srs = params.output_srs ?? 'EPSG:27700';
  if (!SRS.includes(srs)) throw new BadRequest(`Requested output_srs '${srs}' is invalid. Valid values are ${SRS.join(', ')}.`);
  // Honest about what it is: the fake's records are in British National Grid and it converts to nothing else.
  if (srs !== 'EPSG:27700' && srs !== 'BNG') throw new BadRequest(`output_srs '${srs}' is valid for OS Places, but this fake serves only EPSG:27700 (BNG).`);
  if (params.lr !== undefined && !params.lr.split(',').every((l) => l === 'EN' || l === 'CY'))
    throw new BadRequest(`Requested lr '${params.lr}' is invalid. Valid values are EN, CY.`);
  if ((params.format ?? 'JSON') !== 'JSON') throw new BadRequest(`format '${params.format}' is valid for OS Places, but this fake serves only JSON.`);
  const maxresults = params.maxresults === undefined ? 100 : integer(params.maxresults, 'maxresults', 1, 100);
  const offset = params.offset === undefined ? 0 : integer(params.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const wanted = FAKE_RECORDS.filter((r) => datasets.includes(r.dataset));

  let matched: (FakeRecord & { match?: number })[];
  switch (resource) {
    case 'postcode': {
      const compact = params.postcode!.replace(/\s+/g, '').toUpperCase();
      // At least the area and the district's first digit ("SO1"), at most a whole postcode.
      if (!/^[A-Z]{1,2}\d[A-Z\d]?(\d[A-Z]{0,2})?$/.test(compact))
        throw new BadRequest(
          `Requested postcode must contain a minimum of the sector plus 1 digit of the district e.g. SO1. Requested postcode was ${params.postcode}`,
        );
      matched = wanted.filter((r) => r.postcode.replace(/\s+/g, '').startsWith(compact));
      break;
    }
    case 'uprn': {
      if (!/^\d{1,12}$/.test(params.uprn!)) throw new BadRequest(`Requested UPRN must be a number of at most 12 digits. Requested UPRN was ${params.uprn}`);
      matched = wanted.filter((r) => r.uprn === String(Number(params.uprn)));
      break;
    }
    case 'find': {
      const words = params
        .query!.toUpperCase()
        .split(/[^A-Z0-9]+/)
        .filter(Boolean);
      matched = wanted
        .map((r) => {
          const text = ` ${String(r.fields.ADDRESS)
            .toUpperCase()
            .replace(/[^A-Z0-9]+/g, ' ')} `;
          const hits = words.filter((w) => text.includes(` ${w} `)).length;
          return { ...r, match: words.length ? Math.round((hits / words.length) * 10) / 10 : 0 };
        })
        .filter((r) => r.match > 0)
        .sort((a, b) => b.match - a.match);
      break;
    }
    case 'nearest': {
      const [x, y] = coordinates(params.point!);
      const radius = params.radius === undefined ? 100 : decimal(params.radius, 'radius', 0.01, 1000);
      const distance = (r: FakeRecord) => Math.hypot(r.x - x, r.y - y);
      const inRange = wanted.filter((r) => distance(r) <= radius).sort((a, b) => distance(a) - distance(b));
      // The closest address: every requested record of the nearest UPRN.
      matched = inRange.length ? inRange.filter((r) => r.uprn === inRange[0]!.uprn) : [];
      break;
    }
  }
  const page = matched.slice(offset, offset + maxresults);
  return {
    header: {
      uri,
      query: `${PARAMS[resource].required}=${params[PARAMS[resource].required]}`,
      offset,
      totalresults: matched.length,
      format: 'JSON',
      dataset: datasets.join(','),
      lr: params.lr ?? 'EN,CY',
      maxresults,
      epoch: '117',
      lastupdate: '2025-11-20',
      output_srs: srs,
    },
    // OS leaves `results` out altogether when nothing matched.
    ...(page.length
      ? {
          results: page.map((r) => ({
            [r.dataset]: { ...r.fields, ...(r.match !== undefined ? { MATCH: r.match, MATCH_DESCRIPTION: r.match === 1 ? 'EXACT' : 'GOOD' } : {}) },
          })),
        }
      : {}),
  };
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new BadRequest(`Requested ${name} must be a whole number between ${min} and ${max}. Requested ${name} was ${text}`);
  return n;
}

function decimal(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+(\.\d{1,2})?$/.test(text) || n < min || n > max)
    throw new BadRequest(`Requested ${name} must be between ${min} and ${max}, to at most two decimal places. Requested ${name} was ${text}`);
  return n;
}

/** "x,y" in British National Grid metres, each to at most two decimals, inside the grid. */
function coordinates(point: string): [number, number] {
  const match = /^(\d+(?:\.\d{1,2})?),(\d+(?:\.\d{1,2})?)$/.exec(point);
  const [x, y] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || x > 700_000 || y > 1_300_000)
    throw new BadRequest(
      `Requested point must be one comma-separated British National Grid coordinate pair, to at most two decimal places. Requested point was ${point}`,
    );
  return [x, y];
}
