/**
 * Huawei Cloud API gateway authentication, checked for real: an IAM token, or an SDK-HMAC-SHA256
 * signature recomputed over the request exactly as received (raw path, raw query, the headers it
 * claims to sign, raw body). The verifier below is the emulator's own, written from the published
 * algorithm (docs/apis.md §2.4) and not from the provider's signer, so that a bug in that signer
 * fails the emulator's tests instead of confirming itself.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { ReceivedRequest } from "./http";
import type { EmulatorState } from "./seed";

/** The gateway's documented tolerance between X-Sdk-Date and its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/**
 * The date must be signed (the replay window): all three SDKs sign it. `host` need not be: Huawei's
 * Go SDK signs only the headers it holds and never adds host (huaweicloud-sdk-go-v3
 * core/auth/signer/signer.go extractSignedHeaders), and the gateway accepts Huawei's own SDK.
 */
const REQUIRED_SIGNED_HEADERS = ["x-sdk-date"];
/** A payload hash the client states instead of hashing the body (signer.go getContentHash). */
const CONTENT_SHA256_HEADER = "x-sdk-content-sha256";
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

export interface HuaweiAuthFailure {
  /** APIGW.0301: bad token or signature; APIGW.0307: the token must be renewed (respelled by mrs.ts's mode). */
  code: "APIGW.0301" | "APIGW.0307";
  message: string;
}

export function huaweiAuthFailure(
  request: ReceivedRequest,
  credentials: EmulatorState["huawei"],
  now: Date,
): HuaweiAuthFailure | undefined {
  const token = request.headers["x-auth-token"];
  if (token !== undefined) return tokenFailure(token, credentials);
  const authorization = request.headers.authorization;
  if (authorization === undefined) return incorrect("an X-Auth-Token or an Authorization header is required");
  return signatureFailure(request, authorization, credentials.akSk, now);
}

function tokenFailure(token: string, credentials: EmulatorState["huawei"]): HuaweiAuthFailure | undefined {
  if (credentials.tokens.has(token)) return undefined;
  if (credentials.expiredTokens.has(token))
    return { code: "APIGW.0307", message: "The token must be updated." };
  return incorrect("the token is not valid");
}

function signatureFailure(
  request: ReceivedRequest,
  authorization: string,
  akSk: EmulatorState["huawei"]["akSk"],
  now: Date,
): HuaweiAuthFailure | undefined {
  const parsed = parseAuthorizationHeader(authorization);
  if (parsed === undefined)
    return incorrect("the Authorization header is not a valid SDK-HMAC-SHA256 header");
  const credential = akSk.find((candidate) => candidate.accessKey === parsed.accessKey);
  if (credential === undefined) return incorrect(`access key ${parsed.accessKey} does not exist`);
  const signedNames = parsed.signedHeaders.map((name) => name.toLowerCase());
  const unsigned = REQUIRED_SIGNED_HEADERS.find((name) => !signedNames.includes(name));
  if (unsigned !== undefined) return incorrect(`SignedHeaders must include ${unsigned}`);

  const dateProblem = sdkDateProblem(request.headers["x-sdk-date"], now);
  if (dateProblem !== undefined) return incorrect(dateProblem);

  const signedHeaders: Record<string, string> = {};
  for (const name of signedNames) {
    const value = request.headers[name];
    if (value === undefined) return incorrect(`signed header ${name} is missing from the request`);
    signedHeaders[name] = value;
  }
  let expected: string[];
  try {
    expected = payloadHashes(request, signedHeaders).map((payloadHash) =>
      expectedSignature(request, signedHeaders, credential.secretKey, payloadHash),
    );
  } catch {
    // decodeURIComponent refuses malformed %-escapes: such a request cannot have been signed correctly.
    return incorrect("the path or query is not validly percent-encoded");
  }
  if (!expected.some((signature) => sameHex(signature, parsed.signature)))
    return incorrect("the signature does not match");
  if (
    credential.securityToken !== undefined &&
    request.headers["x-security-token"] !== credential.securityToken
  ) {
    return incorrect("X-Security-Token is missing or does not belong to this temporary access key");
  }
  return undefined;
}

/**
 * The payload hashes a client may have signed: the body's, or the value of X-Sdk-Content-Sha256
 * (`UNSIGNED-PAYLOAD` for a body that is not JSON). The Go and Node SDKs sign that value whenever the
 * header is sent (signer.go getContentHash, AKSKSigner.ts buildPayloadHash), the Python SDK only for
 * a non-empty body (signer.py _process_hash_payload): either is accepted, the header only when signed
 * (all three sign it) and only as UNSIGNED-PAYLOAD, so that nothing else frees the body from the signature.
 */
function payloadHashes(
  request: Pick<ReceivedRequest, "body">,
  signedHeaders: Record<string, string>,
): string[] {
  const stated = signedHeaders[CONTENT_SHA256_HEADER]?.trim();
  const hashed = hexSha256(request.body);
  // The SDKs only ever state UNSIGNED-PAYLOAD; any other stated hash must be the body's own.
  return stated === UNSIGNED_PAYLOAD ? [hashed, stated] : [hashed];
}

function sdkDateProblem(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return "the X-Sdk-Date header is required";
  const date = parseSdkDate(value);
  if (date === undefined) return "X-Sdk-Date must read YYYYMMDDTHHMMSSZ";
  if (Math.abs(date.getTime() - now.getTime()) > MAX_CLOCK_SKEW_MS) {
    return "X-Sdk-Date is more than 15 minutes off the server's clock";
  }
  return undefined;
}

function incorrect(detail: string): HuaweiAuthFailure {
  return { code: "APIGW.0301", message: `Incorrect IAM authentication information: ${detail}` };
}

// ---- The verifier: the emulator's own reading of the algorithm ----

const SCHEME = "SDK-HMAC-SHA256";

export interface SignatureClaim {
  accessKey: string;
  /** As the client listed them. */
  signedHeaders: string[];
  signature: string;
}

/** `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`; undefined for anything else. */
export function parseAuthorizationHeader(value: string): SignatureClaim | undefined {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space < 0 || trimmed.slice(0, space) !== SCHEME) return undefined;
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space).split(",")) {
    const equals = part.indexOf("=");
    const key = part.slice(0, Math.max(equals, 0)).trim();
    const fieldValue = part.slice(equals + 1).trim();
    if (equals < 0 || fields.has(key) || fieldValue === "" || /\s/.test(fieldValue)) return undefined;
    fields.set(key, fieldValue);
  }
  const accessKey = fields.get("Access");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (fields.size !== 3 || !accessKey || !signedHeaders || !signature) return undefined;
  if (!/^[0-9a-f]+$/.test(signature)) return undefined;
  return { accessKey, signedHeaders: signedHeaders.split(";"), signature };
}

/** `YYYYMMDDTHHMMSSZ` (UTC); undefined when malformed or not a real date and time. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
  const date = new Date(iso);
  // A date that does not read back the same was rolled over (31 April) or is none: refuse it.
  return !Number.isNaN(date.getTime()) && date.toISOString() === iso ? date : undefined;
}

/**
 * hex(HMAC-SHA256(SK, "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(SHA-256(canonical request)))).
 * `signedHeaders` maps each lower-case signed name to its value as received; the payload hash is
 * the body's unless the client stated another.
 */
export function expectedSignature(
  request: Pick<ReceivedRequest, "method" | "rawPath" | "rawQuery" | "body">,
  signedHeaders: Record<string, string>,
  secretKey: string,
  payloadHash = hexSha256(request.body),
): string {
  const names = Object.keys(signedHeaders).sort();
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(request.rawPath),
    canonicalQueryString(request.rawQuery),
    names.map((name) => `${name}:${signedHeaders[name].trim()}\n`).join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const toSign = [SCHEME, signedHeaders["x-sdk-date"] ?? "", hexSha256(canonical)].join("\n");
  return createHmac("sha256", secretKey).update(toSign).digest("hex");
}

function hexSha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Every segment decoded and re-encoded; signed with a trailing `/` whether or not it was sent. */
function canonicalPath(rawPath: string): string {
  const encoded = rawPath
    .split("/")
    .map((segment) => percentEncode(decodeURIComponent(segment)))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** Pairs decoded (`+` is a space, as Go's and Python's query parsers read it), re-encoded, sorted. */
function canonicalQueryString(rawQuery: string): string {
  const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
  const pairs = rawQuery
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const [key, ...rest] = pair.split("=");
      return [percentEncode(decode(key)), percentEncode(decode(rest.join("=")))];
    });
  const byKeyThenValue = (a: string[], b: string[]) =>
    a[0] === b[0] ? compare(a[1], b[1]) : compare(a[0], b[0]);
  return pairs
    .sort(byKeyThenValue)
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 3986: the unreserved characters stay, every other UTF-8 byte becomes `%XX`. */
function percentEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function sameHex(expected: string, claimed: string): boolean {
  return expected.length === claimed.length && timingSafeEqual(Buffer.from(expected), Buffer.from(claimed));
}
