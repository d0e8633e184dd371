/**
 * Huawei Cloud API gateway authentication, checked for real: an IAM token, or an SDK-HMAC-SHA256
 * signature recomputed with our own signer over the request exactly as received (raw path, raw
 * query, the headers it claims to sign, raw body).
 */
import {
  computeSignature,
  parseAuthorizationHeader,
  parseSdkDate,
  type AkSkCredentials,
} from "../provider/signing/sdkHmacSha256";
import type { ReceivedRequest } from "./http";
import type { EmulatorState } from "./seed";

/** The gateway's documented tolerance between X-Sdk-Date and its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The gateway insists that these are signed: the date (replay window) and the host (target). */
const REQUIRED_SIGNED_HEADERS = ["x-sdk-date", "host"];

export interface HuaweiAuthFailure {
  /** APIGW.0301: bad token or signature; APIGW.0307: the token must be renewed. */
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
  akSk: AkSkCredentials[],
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
  let expected: string;
  try {
    expected = computeSignature(
      {
        method: request.method,
        path: request.rawPath,
        query: request.rawQuery,
        headers: signedHeaders,
        body: request.body,
      },
      credential.secretKey,
    );
  } catch {
    // decodeURIComponent refuses malformed %-escapes: such a request cannot have been signed correctly.
    return incorrect("the path or query is not validly percent-encoded");
  }
  if (expected !== parsed.signature) return incorrect("the signature does not match");
  if (
    credential.securityToken !== undefined &&
    request.headers["x-security-token"] !== credential.securityToken
  ) {
    return incorrect("X-Security-Token is missing or does not belong to this temporary access key");
  }
  return undefined;
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
