/** What may go into a URL: ids in path segments, endpoints, and query strings as Huawei's SDK sends them. */
import { rfc3986Encode } from "../signing/sdkHmacSha256";
import { describeValue } from "./fields";

/** A string made only of characters that are safe in one URL path segment, with no dot-only segment. */
export function checkPathId(value: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value) || value.length > 128) {
    return `must be an id of letters, digits, "-", "_" or "." (at most 128), got ${describeValue(value)}`;
  }
  return undefined;
}

/** An http(s) base URL with nothing that could carry or leak data (query, fragment, user info). */
export function checkEndpoint(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an http(s) URL, got "${value}"`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `must be an http(s) URL, got "${value}"`;
  if (url.search || url.hash || url.username || url.password)
    return "must not carry a query, fragment or user info";
  return undefined;
}

/**
 * One URL path segment, percent-encoded. "." and ".." are refused outright: URL parsers resolve
 * them, which would send the request to another route.
 */
export function pathSegment(name: string, value: string): string {
  if (value === "." || value === ".." || value === "")
    throw new Error(`${name} "${value}" cannot be used in a URL path`);
  return encodeURIComponent(value);
}

/** A query string as Huawei's SDK sends it: RFC 3986 percent-encoding, a space as `%20`, never `+`. */
export function queryString(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .flatMap(([key, value]) => (value === undefined ? [] : [`${rfc3986Encode(key)}=${rfc3986Encode(value)}`]))
    .join("&");
}
