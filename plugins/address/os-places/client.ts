// Requests to OS Places through the SDK's SSRF-guarded client. The key travels in the `key` header (OS accepts it there
// as well as in the query string), so it is never part of a URL: not in OS's own `header.uri` echo, not in an error,
// not in a log. Every way OS can fail to answer becomes AddressProviderUnavailable with a message an operator can act
// on; a 400 (OS refusing what the citizen typed) is the only refusal that is not an outage.
import { AddressProviderUnavailable, GuardedHttpClient, type PluginLogger } from '@closeloop/sdk';
import { readAnswer, type PlacesAnswer } from './answer.ts';
import type { OsPlacesConfig } from './config.ts';

export type Resource = 'postcode' | 'find' | 'uprn' | 'nearest';

export interface OsPlacesState {
  config: OsPlacesConfig;
  client: GuardedHttpClient;
}

/** 100 DPA and LPI records are about 300 KB; past this bound an answer is not one OS would send. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export function openClient(config: OsPlacesConfig): OsPlacesState {
  // The resources are relative to the base URL, so it must end with a slash ("…/v1/" + "postcode").
  const base = new URL(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
  return { config, client: new GuardedHttpClient(base, { allowPrivateNetwork: config.allowPrivateNetwork }) };
}

/**
 * GETs one OS Places resource. Answers 'refused' when OS says the request itself is wrong (400: a postcode or UPRN it
 * does not accept); throws AddressProviderUnavailable when OS cannot or will not answer.
 */
export async function getPlaces(
  state: OsPlacesState,
  resource: Resource,
  params: Record<string, string>,
  log: PluginLogger,
): Promise<PlacesAnswer | 'refused'> {
  const { config, client } = state;
  const query = new URLSearchParams({ ...params, dataset: config.datasets.join(','), output_srs: 'EPSG:27700' });
  const started = performance.now();
  let answer;
  try {
    answer = await client.request({
      path: `${resource}?${query}`,
      headers: { key: config.key, accept: 'application/json', 'user-agent': 'Closeloop' },
      timeoutMs: config.timeoutMs,
      maxResponseBytes: MAX_ANSWER_BYTES,
      abortPastMaxBytes: true,
    });
  } catch (err) {
    throw unavailable(config, resource, log, undefined, networkReason(err, config), err);
  }
  const ms = Math.round(performance.now() - started);
  const { status } = answer;
  // Neither the query (what the citizen typed) nor the key goes to the log: the resource, the status and the time do.
  log.debug({ provider: 'os-places', resource, status, ms }, 'OS Places answered');
  if (status === 400) {
    log.info({ provider: 'os-places', resource, status }, 'OS Places refused the request as malformed (nothing found)');
    return 'refused';
  }
  if (status !== 200) throw unavailable(config, resource, log, status, statusReason(status, answer.body, answer.headers['retry-after']));
  if (answer.body.length >= MAX_ANSWER_BYTES) throw unavailable(config, resource, log, status, `its answer was larger than ${MAX_ANSWER_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(answer.body));
  } catch {
    throw unavailable(config, resource, log, status, 'its answer was not JSON');
  }
  const read = readAnswer(json);
  if (!read) throw unavailable(config, resource, log, status, 'its answer was not an OS Places answer (no header.totalresults)');
  if (read.unreadable)
    log.warn({ provider: 'os-places', resource, unreadable: read.unreadable }, 'OS Places sent records without a UPRN or coordinates; they were left out');
  return read;
}

function unavailable(config: OsPlacesConfig, resource: Resource, log: PluginLogger, status: number | undefined, reason: string, cause?: unknown) {
  const message = redact(`OS Places (${resource}) is unavailable: ${reason}`, config.key);
  log.warn({ provider: 'os-places', resource, ...(status ? { status } : {}) }, message);
  return new AddressProviderUnavailable(message, cause instanceof Error ? { cause: scrubbed(cause, config.key) } : undefined);
}

function statusReason(status: number, body: Buffer, retryAfter: string | undefined): string {
  const said = osMessage(body);
  const detail = said ? ` ("${said}")` : '';
  if (status === 401)
    return `it refused the API key (401)${detail}; check the key in the council's address settings and that the OS Data Hub project has the OS Places API`;
  if (status === 403) return `the API key may not use OS Places (403)${detail}; add the OS Places API to the key's OS Data Hub project`;
  if (status === 404) return `no such resource (404) at the configured baseUrl; check it (the default is https://api.os.uk/search/places/v1)`;
  if (status === 429) return `it is limiting our requests (429)${retryAfter ? `, retry after ${retryAfter} s` : ''}${detail}; the key's rate limit was reached`;
  if (status >= 500) return `it failed (${status})${detail}`;
  return `unexpected status ${status}${detail}`;
}

function networkReason(err: unknown, config: OsPlacesConfig): string {
  const e = err as NodeJS.ErrnoException;
  if (e.name === 'TimeoutError') return `no answer within ${config.timeoutMs} ms`;
  if (e.name === 'SsrfError') return e.message;
  const host = new URL(config.baseUrl).host;
  return `could not reach ${host} (${e.code ?? e.message})`;
}

/** OS's own words: `{ error: { statuscode, message } }` from the API, `{ fault: { faultstring } }` from its gateway. */
function osMessage(body: Buffer): string | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown }; fault?: { faultstring?: unknown } };
    const said = json.error?.message ?? json.fault?.faultstring;
    return typeof said === 'string' ? said.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

/** The key never leaves in a message, whatever a server or a library put into one. */
function redact(text: string, key: string): string {
  return key ? text.split(key).join('[key]') : text;
}

function scrubbed(err: Error, key: string): Error {
  if (!err.message.includes(key)) return err;
  const copy = new Error(redact(err.message, key));
  copy.name = err.name;
  return copy;
}
