/**
 * Every API request the emulator sees (admin calls excepted), recorded with secrets masked at
 * record time: the log never holds a secret, so no reader can leak one.
 */
import { isPlainObject, parseJsonObject, type ReceivedRequest } from "./http";
import type { Api, Resolution, RouteName, Transport } from "./routes";

export interface RecordedRequest {
  seq: number;
  /** ISO time on the emulator's clock. */
  time: string;
  api: Api | "unknown";
  route: RouteName | "unknown";
  transport?: Transport;
  method: string;
  /** Raw path and query, as received. */
  path: string;
  query: string;
  headers: Record<string, string>;
  /** The parsed object or array when the body is one, else its raw text (`""` stays visible); null when empty. */
  body: unknown;
  /** null while unanswered, and for good when the socket was destroyed instead of answered. */
  status: number | null;
  /** Whether the request changed state the way the route promises (a revoke, a kill). */
  effective: boolean;
  /** The fault that answered it, e.g. "status:503", "reset", "hang:100ms", "rate-limit". */
  fault?: string;
}

export interface RequestFilter {
  route?: RouteName | "unknown";
  api?: Api | "unknown";
}

const MASK = "***";
/** BlueKing credential fields, in ESB bodies, in the gateway header's JSON and in query strings. */
const SECRET_FIELDS = new Set(["bk_app_secret", "bk_token", "access_token"]);
/** Headers whose whole value is a secret (a BlueKing login cookie carries bk_token). */
const SECRET_HEADERS = new Set(["x-auth-token", "x-security-token", "cookie"]);
/** A long-running CLI must not grow without bound; tests, the benchmark and the soak stay below. */
const REQUEST_LOG_LIMIT = 50_000;

export class RequestLog {
  private entries: RecordedRequest[] = [];
  private nextSeq = 1;

  record(request: ReceivedRequest, resolution: Resolution, time: Date): RecordedRequest {
    const entry: RecordedRequest = {
      seq: this.nextSeq++,
      time: time.toISOString(),
      api: resolution.api,
      route: resolution.route,
      ...(resolution.transport && { transport: resolution.transport }),
      method: request.method,
      path: request.rawPath,
      query: maskQuery(request.rawQuery),
      headers: maskHeaders(request.headers),
      body: maskBody(request.body),
      status: null,
      effective: false,
    };
    this.entries.push(entry);
    if (this.entries.length > REQUEST_LOG_LIMIT) this.entries.shift();
    return entry;
  }

  /** Copies, oldest first: callers cannot alter the log. */
  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.entries
      .filter((entry) => filter.route === undefined || entry.route === filter.route)
      .filter((entry) => filter.api === undefined || entry.api === filter.api)
      .map((entry) => structuredClone(entry));
  }

  clear(): void {
    this.entries = [];
  }
}

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SECRET_HEADERS.has(name)) masked[name] = MASK;
    else if (name === "authorization") masked[name] = maskAuthorization(value);
    else if (name === "x-bkapi-authorization") masked[name] = maskJsonText(value);
    else masked[name] = value;
  }
  return masked;
}

/** Keeps the access key and signed headers (useful when debugging), hides the signature; other schemes entirely. */
function maskAuthorization(value: string): string {
  return /^SDK-HMAC-SHA256\s/.test(value) ? value.replace(/Signature=[^,\s]*/g, `Signature=${MASK}`) : MASK;
}

function maskJsonText(text: string): string {
  const value = parseJsonObject(text);
  return value === undefined ? MASK : JSON.stringify(maskFields(value));
}

function maskFields(value: Record<string, unknown>): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) masked[key] = SECRET_FIELDS.has(key) ? MASK : field;
  return masked;
}

function maskBody(body: Buffer): unknown {
  if (body.length === 0) return null;
  const text = body.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return maskFieldsInText(text);
  }
  if (isPlainObject(value)) return maskFields(value);
  return Array.isArray(value) ? value : maskFieldsInText(text);
}

/** A body that is not JSON may still carry `"bk_token": "..."` or `bk_token=...`: mask what follows. */
function maskFieldsInText(text: string): string {
  return text.replace(
    /(bk_app_secret|bk_token|access_token)("?\s*[:=]\s*"?)([^"&,\s}]*)/g,
    (_match, key: string, separator: string) => `${key}${separator}${MASK}`,
  );
}

function maskQuery(query: string): string {
  if (query === "") return query;
  return query
    .split("&")
    .map((pair) => {
      const rawKey = pair.split("=", 1)[0];
      return SECRET_FIELDS.has(decodeQueryKey(rawKey)) ? `${rawKey}=${MASK}` : pair;
    })
    .join("&");
}

function decodeQueryKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}
