// Routes a plugin mounts under /connectors/{binding}/ (or /channels/{channel}/), and the answers they give.
import type { ZodType } from 'zod';

/** The body as JSON, or the problem answer to send instead. */
export type InboundJson = { ok: true; value: unknown } | { ok: false; response: InboundResponse };

export interface InboundRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received (for signature checks). */
  rawBody: Buffer;
  /**
   * The client's address as the hub sees it (behind a proxy only with server.trustProxy); null when it cannot be
   * known (the request came through a proxy the hub does not trust).
   */
  clientAddress: string | null;
  /**
   * The body read by the same rules as the REST API's JSON: application/json only (415), UTF-8 only (415 for another
   * charset, 400 for invalid bytes), valid JSON (400), and 422 naming the field for a duplicate key, text XML cannot
   * carry or hostile nesting. Check the caller's signature or secret first.
   */
  json(): InboundJson;
  /**
   * Where the plugin's routes are, as the browser reached this one: "/connectors/{binding}", or
   * "/staff/connectors/{binding}" for a page behind staff sign-in (a route with `staffPage`). Build a page's links and form
   * actions from it. Absent outside a hub.
   */
  base?: string;
}

export interface InboundResponse {
  status: number;
  /** An object is sent as JSON; a string or Buffer as it is (set content-type). */
  body?: unknown;
  headers?: Record<string, string>;
}

export type InboundHandler = (req: InboundRequest) => Promise<InboundResponse>;

export interface InboundRouteOptions {
  /** The largest body accepted (default 1 MB); a larger one is answered 413 in problem+json. */
  maxBodyBytes?: number;
  /**
   * A page (or a form it posts) for the council's staff, not an address a machine calls. When the hub's staff console
   * guards plugin pages (staff.pluginPagesSignIn, on by default), the route answers only a person signed in to the staff
   * console, at /staff/connectors/{binding}/… (its plain address sends the browser there); `req.base` says which.
   */
  staffPage?: boolean;
}

export interface InboundRoutes {
  get(path: string, handler: InboundHandler, options?: InboundRouteOptions): void;
  post(path: string, handler: InboundHandler, options?: InboundRouteOptions): void;
}

/** Describes an inbound route for the OpenAPI document (the hub mounts it under /connectors/{binding} or /channels/{channel}). */
export interface InboundRouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  description?: string;
  body?: ZodType;
  bodyExample?: unknown;
  responses: Record<number, string>;
}

/** An RFC 9457 problem answer, as the hub's own API gives: `extra` adds fields such as `errors`. */
export function problem(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): InboundResponse {
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body: { type: 'about:blank', title, status, detail, ...extra } };
}

/** The request's JSON body by the API's rules (see InboundRequest.json), or the problem answer to send instead. */
export function readInboundJson(req: InboundRequest): InboundJson {
  return req.json();
}
