/**
 * One HTTP layer for every target: per-request timeout, a single retry policy, bounded
 * concurrency per endpoint, and TLS settings. Targets decide what an answer *means*; this file
 * only decides whether to try again.
 *
 * Retry policy (documented in the README): retried are network errors (reset, timeout, refused
 * while connecting), 429 (honouring Retry-After in seconds), 502/503/504, and a 500 whose body
 * carries no service error code. Never retried: any other 4xx, a 500 with a business code, and
 * unknown errors. Delays grow exponentially with jitter, capped; attempts and total time are
 * both bounded.
 */
import { NetworkError } from "./errors";

export interface HttpSettings {
  /** Per attempt: connect, send and receive. */
  requestTimeoutMs: number;
  /** Attempts in all, counting the first. */
  maxAttempts: number;
  /** No new attempt starts later than this after the first one. */
  maxRetryMs: number;
  /** Requests in flight at once to one endpoint (scheme://host:port), across all resources. */
  maxConcurrency: number;
  /** Extra trusted CA certificates (PEM), e.g. an on-premises BlueKing's private CA. */
  caBundle?: string;
  /** Skips certificate verification. Loudly warned about, never the default. */
  insecureSkipTlsVerify: boolean;
}

export const httpDefaults: HttpSettings = {
  requestTimeoutMs: 30_000,
  maxAttempts: 5,
  maxRetryMs: 60_000,
  maxConcurrency: 8,
  insecureSkipTlsVerify: false,
};

const baseDelayMs = 500;
const maxDelayMs = 10_000;

export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export interface HttpRequest {
  /** Who and what, for messages: "MRS", "kill job-execution j1 in cluster c1". */
  service: string;
  operation: string;
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called before every attempt: signatures carry the date, so each attempt is signed anew. */
  sign?: (request: {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body: string;
  }) => Record<string, string>;
  /** True when a 5xx answer carries a service error code: a business failure, not a fault. */
  isBusinessError?: (status: number, data: unknown) => boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON, the raw text when it is not JSON, undefined when empty. */
  data: unknown;
  requestId?: string;
  attempts: number;
  /**
   * Earlier attempts that may have reached the service although no answer came back (reset,
   * timeout, 502/504). A "nothing to do" answer after such an attempt means our request worked.
   */
  uncertainAttempts: number;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
}

export interface HttpDependencies {
  reporter: Reporter;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

type Outcome =
  | { kind: "response"; status: number; data: unknown; retryAfterSeconds?: number }
  | { kind: "network"; code: string; message: string; connected: boolean };

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
  /** Why, for the retry notice: "HTTP 503", "connection reset". */
  reason: string;
  /** The failed attempt may have reached the service. */
  uncertain: boolean;
  /** A 429: the whole endpoint waits, and the attempt count is not used up. */
  throttled?: boolean;
}

const retriedNetworkCodes: Record<string, string> = {
  ECONNRESET: "connection reset",
  ECONNREFUSED: "connection refused",
  ETIMEDOUT: "timed out",
  ECONNABORTED: "timed out",
  ERR_CANCELED: "timed out",
  EPIPE: "connection closed",
  EAI_AGAIN: "name lookup failed temporarily",
};

/** Pure: what to do after an attempt. Exported for the table tests. */
export function decideRetry(
  outcome: Outcome,
  attempt: number,
  elapsedMs: number,
  settings: Pick<HttpSettings, "maxAttempts" | "maxRetryMs">,
  random: number,
  isBusinessError: (status: number, data: unknown) => boolean = () => false,
): RetryDecision {
  let reason: string;
  let uncertain: boolean;
  let retryAfterMs: number | undefined;
  if (outcome.kind === "network") {
    const known = retriedNetworkCodes[outcome.code];
    if (!known) return { retry: false, delayMs: 0, reason: outcome.message, uncertain: true };
    reason = known;
    uncertain = outcome.connected;
  } else {
    const { status } = outcome;
    const transient =
      status === 429 ||
      status === 502 ||
      status === 503 ||
      status === 504 ||
      (status === 500 && !isBusinessError(status, outcome.data));
    reason = `HTTP ${status}`;
    if (!transient) return { retry: false, delayMs: 0, reason, uncertain: false };
    // 429 and 503 say the request was turned away; 500, 502 and 504 may hide a request that ran.
    uncertain = status !== 429 && status !== 503;
    if (outcome.retryAfterSeconds !== undefined) retryAfterMs = outcome.retryAfterSeconds * 1000;
  }
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": half fixed, half random, so parallel clients spread out but never retry at once.
  const delayMs = retryAfterMs ?? Math.round(backoff / 2 + (backoff / 2) * random);
  // A 429 was turned away, not tried: it is bounded by the time budget, not the attempt count.
  const throttled = outcome.kind === "response" && outcome.status === 429;
  const retry = (throttled || attempt < settings.maxAttempts) && elapsedMs + delayMs <= settings.maxRetryMs;
  return { retry, delayMs, reason, uncertain, throttled };
}

/**
 * One API endpoint (scheme://host:port) as this process sees it: at most `limit` requests in flight,
 * waiters served in order, and after a 429 nobody sends until the endpoint's Retry-After has passed,
 * so that parallel resources do not keep a throttling gateway busy with doomed requests.
 */
class Endpoint {
  pausedUntil = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  pause(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The URL as it may appear in messages: no query string, no user info. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function createHttpClient(settings: HttpSettings, dependencies: HttpDependencies): HttpClient {
  const sleep =
    dependencies.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = dependencies.random ?? Math.random;
  const now = dependencies.now ?? Date.now;
  const { reporter } = dependencies;
  const endpoints = new Map<string, Endpoint>();
  // Required where used rather than imported at the top, so that nothing here pins a module path.
  const axios = (require("axios") as typeof import("axios")).default;

  // Keep-alive agents, one pair per client; the TLS settings live here.
  const http = require("node:http") as typeof import("node:http");
  const https = require("node:https") as typeof import("node:https");
  const tls = require("node:tls") as typeof import("node:tls");
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    rejectUnauthorized: !settings.insecureSkipTlsVerify,
    ...(settings.caBundle ? { ca: [...tls.rootCertificates, settings.caBundle] } : {}),
  });

  if (settings.insecureSkipTlsVerify) {
    reporter.warn(
      "TLS certificate verification is OFF (insecureSkipTlsVerify): anyone on the network path can read " +
        "credentials and forge answers. Use a CA bundle instead.",
    );
  }

  function endpointFor(url: URL): Endpoint {
    let endpoint = endpoints.get(url.origin);
    if (!endpoint) endpoints.set(url.origin, (endpoint = new Endpoint(settings.maxConcurrency)));
    return endpoint;
  }

  async function attempt(
    request: HttpRequest,
    url: URL,
  ): Promise<{ outcome: Outcome; headers: Record<string, string> }> {
    const body = request.body ?? "";
    const endpoint = endpointFor(url);
    const release = await endpoint.acquire();
    try {
      const paused = endpoint.pausedUntil - now();
      if (paused > 0) await sleep(paused);
      // Signed after the wait for a slot, so that X-Sdk-Date is fresh when the request leaves.
      let headers: Record<string, string> = { Host: url.host, ...(request.headers ?? {}) };
      if (request.sign) headers = request.sign({ method: request.method, url, headers, body });
      const response = await axios.request<string>({
        method: request.method,
        url: url.toString(),
        headers,
        data: request.method === "GET" ? undefined : body,
        timeout: settings.requestTimeoutMs,
        signal: AbortSignal.timeout(settings.requestTimeoutMs),
        responseType: "text",
        // Raw bodies both ways: what is signed must be exactly what is sent.
        transformRequest: [(data: unknown) => data],
        transformResponse: [(data: string) => data],
        validateStatus: () => true,
        // A redirect would carry our signed headers to another host.
        maxRedirects: 0,
        httpAgent,
        httpsAgent,
      });
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && value !== null) responseHeaders[name.toLowerCase()] = String(value);
      }
      return {
        outcome: {
          kind: "response",
          status: response.status,
          data: parseBody(typeof response.data === "string" ? response.data : ""),
          retryAfterSeconds: parseRetryAfter(responseHeaders["retry-after"]),
        },
        headers: responseHeaders,
      };
    } catch (error) {
      const e = error as { code?: string; message?: string; cause?: { code?: string } };
      const code =
        e.code === "ERR_CANCELED" || /timeout/i.test(e.message ?? "")
          ? "ETIMEDOUT"
          : (e.code ?? e.cause?.code ?? "UNKNOWN");
      return {
        outcome: {
          kind: "network",
          code,
          message: e.message ?? String(error),
          connected: code !== "ECONNREFUSED",
        },
        headers: {},
      };
    } finally {
      release();
    }
  }

  return {
    async send(request) {
      const url = new URL(request.url);
      const started = now();
      let uncertainAttempts = 0;
      let throttledAnswers = 0;
      for (let attemptNumber = 1; ; attemptNumber++) {
        const { outcome, headers } = await attempt(request, url);
        const requestId = headers["x-request-id"] ?? headers["x-bkapi-request-id"];
        const decision =
          outcome.kind === "response" && outcome.status < 400
            ? undefined
            : decideRetry(
                outcome,
                attemptNumber - throttledAnswers,
                now() - started,
                settings,
                random(),
                request.isBusinessError,
              );
        if (!decision?.retry) {
          if (outcome.kind === "network") {
            throw new NetworkError(
              `${request.service}: ${request.operation} failed after ${attemptNumber} attempt(s): ` +
                `${decision?.reason ?? outcome.message} (${outcome.code}) on ${request.method} ${displayUrl(url)}. ` +
                `Check that the endpoint is reachable; raise the retry budget if the service is only slow.`,
              attemptNumber,
              { cause: new Error(outcome.message) },
            );
          }
          return {
            status: outcome.status,
            headers,
            data: outcome.data,
            requestId,
            attempts: attemptNumber,
            uncertainAttempts,
          };
        }
        if (decision.uncertain) uncertainAttempts++;
        const id = requestId ? `, request id ${requestId}` : "";
        const delay = `${(decision.delayMs / 1000).toFixed(1)}s`;
        if (decision.throttled) {
          endpointFor(url).pause(now() + decision.delayMs);
          throttledAnswers++;
          reporter.info(
            `${request.service}: ${request.operation}: throttled (HTTP 429${id}); retrying in ${delay}`,
          );
        } else {
          reporter.info(
            `${request.service}: ${request.operation}: ${decision.reason}${id}; ` +
              `attempt ${attemptNumber - throttledAnswers + 1} of ${settings.maxAttempts} in ${delay}`,
          );
        }
        await sleep(decision.delayMs);
      }
    },
  };
}
