/**
 * Huawei Cloud API Gateway request signing, `SDK-HMAC-SHA256` (the AK/SK scheme of every
 * Huawei Cloud service, MRS included). Pure functions: the clock and the credentials are
 * parameters, and the request is never mutated, so re-signing is safe and tests freeze the date.
 *
 * Spec: docs/apis.md §2.4, and the published test vectors in tests/unit/signing.test.ts.
 */
import { createHash, createHmac } from "node:crypto";

export const ALGORITHM = "SDK-HMAC-SHA256";
export const DATE_HEADER = "X-Sdk-Date";
export const SECURITY_TOKEN_HEADER = "X-Security-Token";

export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
  /** Present with temporary credentials; sent (and signed) as X-Security-Token. */
  securityToken?: string;
}

export interface RequestToSign {
  method: string;
  /** The path as it goes on the wire, percent-encoded, without the query. */
  path: string;
  /** The raw query string without `?` (percent-encoded as sent), or "". */
  query: string;
  /** Every header here is signed. Names are case-insensitive. */
  headers: Record<string, string>;
  body: string | Buffer;
}

/** RFC 3986 unreserved characters stay; everything else is %XX (upper case). */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Each segment decoded then re-encoded, and a trailing `/` added: the gateway signs `/a/b/` for `/a/b`. */
export function canonicalUri(path: string): string {
  const uri = path
    .split("/")
    .map((segment) => rfc3986Encode(decodeURIComponent(segment)))
    .join("/");
  return uri.endsWith("/") ? uri : uri + "/";
}

/** `key=value` pairs, RFC 3986 encoded, sorted by key then value. */
export function canonicalQuery(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const equals = part.indexOf("=");
      const key = equals < 0 ? part : part.slice(0, equals);
      const value = equals < 0 ? "" : part.slice(equals + 1);
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, "%20"));
      return [rfc3986Encode(decode(key)), rfc3986Encode(decode(value))] as const;
    });
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function lowerCaseHeaders(headers: Record<string, string>): Map<string, string> {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) lower.set(name.toLowerCase(), value);
  return lower;
}

export function signedHeaderNames(headers: Record<string, string>): string[] {
  return [...lowerCaseHeaders(headers).keys()].sort();
}

/** `name:trimmed value\n` for every signed header, sorted by name. */
export function canonicalHeaders(headers: Record<string, string>): string {
  const lower = lowerCaseHeaders(headers);
  return signedHeaderNames(headers)
    .map((name) => `${name}:${(lower.get(name) ?? "").trim()}\n`)
    .join("");
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function canonicalRequest(request: RequestToSign): string {
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders(request.headers),
    signedHeaderNames(request.headers).join(";"),
    sha256Hex(request.body),
  ].join("\n");
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signature(secretKey: string, toSign: string): string {
  return createHmac("sha256", secretKey).update(toSign).digest("hex");
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** The signature of a request whose headers already carry X-Sdk-Date. */
export function computeSignature(request: RequestToSign, secretKey: string): string {
  const sdkDate = lowerCaseHeaders(request.headers).get(DATE_HEADER.toLowerCase());
  if (sdkDate === undefined) throw new Error(`${DATE_HEADER} header is required to sign a request`);
  return signature(secretKey, stringToSign(canonicalRequest(request), sdkDate));
}

/**
 * Returns a copy of the request's headers with X-Sdk-Date (and X-Security-Token) added and the
 * Authorization header set. Every header passed in is signed, so pass `Host` as it will be sent.
 */
export function signRequest(
  request: RequestToSign,
  credentials: AkSkCredentials,
  now: Date = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers, [DATE_HEADER]: formatSdkDate(now) };
  if (credentials.securityToken) headers[SECURITY_TOKEN_HEADER] = credentials.securityToken;
  const sig = computeSignature({ ...request, headers }, credentials.secretKey);
  headers.Authorization = authorizationHeader(credentials.accessKey, signedHeaderNames(headers), sig);
  return headers;
}

export function authorizationHeader(accessKey: string, signedHeaders: string[], sig: string): string {
  return `${ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders.join(";")}, Signature=${sig}`;
}
