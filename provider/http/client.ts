/**
 * One HTTP layer for every target: per-request timeout, a single retry policy, bounded
 * concurrency per endpoint, and TLS settings. Targets decide what an answer *means*; this file
 * only decides whether to try again.
 *
 * The retry policy is `retry.ts` (documented in the README). A client bound to a deadline (`withDeadline`) never waits past it:
 * not in an attempt, a retry delay, a throttling pause or the queue for a connection slot.
 */
import type { Reporter } from "../core/reporter";
import { CancelledError, NetworkError } from "../errors";
import { redactDeep, redactor, requestSecrets } from "./redact";
import {
  decideRetry,
  isThrottled,
  maxThrottledAnswers,
  needsDecision,
  type AnswerClass,
  type AttemptOutcome,
} from "./retry";
import type { HttpSettings } from "./settings";

export interface HttpRequest {
  /** Who and what, for messages: "MRS", "kill job-execution j1 in cluster c1". */
  service: string;
  operation: string;
  method: "GET" | "POST" | "PUT";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Credentials of the settings behind this request, masked in every answer (body, headers, network
   * error) besides what the request carries in secret-named headers and JSON body fields.
   */
  secrets?: readonly (string | undefined)[];
  /** Called before every attempt: signatures carry the date, so each attempt is signed anew. */
  sign?: (request: {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body: string;
  }) => Record<string, string>;
  /** True when a 5xx answer carries a service error code: a business failure, not a fault. */
  isBusinessError?: (status: number, data: unknown) => boolean;
  /**
   * What the answer is by the code it carries, whatever its status (retry.ts `AnswerClass`): for
   * services whose gateway answers throttling or faults with HTTP 200. Undefined: the status decides.
   */
  classify?: (answer: {
    status: number;
    data: unknown;
    headers: Record<string, string>;
  }) => AnswerClass | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /**
   * The body parsed as JSON, the raw text when it is not JSON, undefined when empty; like the
   * headers, with the request's credentials masked (`redact.ts`).
   */
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
  /**
   * The same client (settings, endpoints, connections) whose requests all end by `deadlineMs`
   * (epoch ms, on the client's clock): each attempt's timeout is the smaller of the request
   * timeout and the time left, and no retry, delay or queueing runs past it.
   */
  withDeadline(deadlineMs: number): HttpClient;
}

export interface HttpDependencies {
  reporter: Reporter;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** The engine's cancel (Ctrl-C): once aborted, no attempt is made and no retry waited for. */
  signal?: AbortSignal;
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

  /** A slot, or undefined when none came free within `timeoutMs`. */
  async acquire(timeoutMs = Infinity): Promise<(() => void) | undefined> {
    if (this.active >= this.limit) {
      const got = await new Promise<boolean>((resolve) => {
        const waiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer =
          timeoutMs === Infinity
            ? undefined
            : setTimeout(() => {
                this.waiting.splice(this.waiting.indexOf(waiter), 1);
                resolve(false);
              }, timeoutMs);
        this.waiting.push(waiter);
      });
      if (!got) return undefined;
    }
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
  const { reporter, signal } = dependencies;
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

  /** Not sent: the deadline came first (no slot, or the endpoint paused by a 429 until after it). */
  const notSent = (message: string): { outcome: AttemptOutcome; headers: Record<string, string> } => ({
    outcome: { kind: "network", code: "EDEADLINE", message, connected: false },
    headers: {},
  });

  async function attempt(
    request: HttpRequest,
    url: URL,
    deadline: number,
  ): Promise<{ outcome: AttemptOutcome; headers: Record<string, string>; cutOff?: boolean }> {
    const body = request.body ?? "";
    if (now() >= deadline) return notSent("the deadline had passed");
    const endpoint = endpointFor(url);
    const release = await endpoint.acquire(deadline - now());
    if (!release) return notSent("no connection slot came free before the deadline");
    try {
      const paused = endpoint.pausedUntil - now();
      if (paused > 0) {
        if (now() + paused >= deadline)
          return notSent("the endpoint is throttled (HTTP 429) until after the deadline");
        await sleep(paused);
      }
      // A cancel that came while this request waited for a slot or a pause: it is not sent.
      if (signal?.aborted) throw new CancelledError("cancelled before it was sent");
      const timeoutMs = Math.max(1, Math.min(settings.requestTimeoutMs, deadline - now()));
      // Signed after the wait for a slot, so that X-Sdk-Date is fresh when the request leaves.
      let headers: Record<string, string> = { Host: url.host, ...(request.headers ?? {}) };
      if (request.sign) headers = request.sign({ method: request.method, url, headers, body });
      const redact = redactor(requestSecrets(request.secrets ?? [], headers, body));
      try {
        const response = await axios.request<string>({
          method: request.method,
          url: url.toString(),
          headers,
          data: request.method === "GET" ? undefined : body,
          timeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
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
          if (value !== undefined && value !== null)
            responseHeaders[name.toLowerCase()] = redact(String(value));
        }
        // Masked after parsing, so that no structure changes; and in a raw (non-JSON) text too.
        const data = redactDeep(parseBody(typeof response.data === "string" ? response.data : ""), redact);
        const answer = request.classify?.({ status: response.status, data, headers: responseHeaders });
        return {
          outcome: {
            kind: "response",
            status: response.status,
            data,
            retryAfterSeconds: parseRetryAfter(responseHeaders["retry-after"]),
            ...(answer && { answer }),
          },
          headers: responseHeaders,
        };
      } catch (error) {
        const e = error as { code?: string; message?: string; cause?: { code?: string } };
        const code =
          e.code === "ERR_CANCELED" || /timeout/i.test(e.message ?? "")
            ? "ETIMEDOUT"
            : (e.code ?? e.cause?.code ?? "UNKNOWN");
        const message = redact(e.message ?? String(error));
        return {
          outcome: {
            kind: "network",
            code,
            message,
            connected: code !== "ECONNREFUSED",
            // Not axios's error: it holds the request's config, headers (credentials) included.
            error: Object.assign(new Error(message), { code: e.code ?? e.cause?.code }),
          },
          headers: {},
          // Timed out on the deadline's shorter clock, not the request timeout.
          cutOff: code === "ETIMEDOUT" && timeoutMs < settings.requestTimeoutMs,
        };
      }
    } finally {
      release();
    }
  }

  async function send(request: HttpRequest, deadline: number): Promise<HttpResponse> {
    const url = new URL(request.url);
    const started = now();
    let uncertainAttempts = 0;
    let throttledAnswers = 0;
    // After a cancel nothing more goes out; the error counts the attempts that may have arrived.
    const cancelled = (attempts: number) =>
      new CancelledError(
        `${request.service}: ${request.operation}: ${attempts === 0 ? "not sent" : `stopped after ${attempts} attempt(s)${uncertainAttempts > 0 ? ", whose answer was lost" : ""}`}: the engine asked the provider to stop (Ctrl-C)`,
        uncertainAttempts,
      );
    for (let attemptNumber = 1; ; attemptNumber++) {
      if (signal?.aborted) throw cancelled(attemptNumber - 1);
      let made: Awaited<ReturnType<typeof attempt>>;
      try {
        made = await attempt(request, url, deadline);
      } catch (error) {
        // Only a cancel ends an attempt early (in its wait for a slot or a pause): nothing was sent.
        if (signal?.aborted) throw cancelled(attemptNumber - 1);
        throw error;
      }
      const { outcome, headers, cutOff } = made;
      const requestId = headers["x-request-id"] ?? headers["x-bkapi-request-id"];
      if (isThrottled(outcome)) throttledAnswers++;
      const decision = !needsDecision(outcome)
        ? undefined
        : decideRetry(
            outcome,
            attemptNumber - throttledAnswers,
            now() - started,
            settings,
            random(),
            request.isBusinessError,
            throttledAnswers,
          );
      // A retry whose delay would end at or past the deadline is not made.
      const atDeadline =
        cutOff ||
        (outcome.kind === "network" && outcome.code === "EDEADLINE") ||
        (decision?.retry === true && now() + decision.delayMs >= deadline);
      if (!decision?.retry || atDeadline) {
        if (outcome.kind === "network") {
          const why = cutOff
            ? `${decision?.reason ?? outcome.message}, cut off at the deadline`
            : (decision?.reason ?? outcome.message);
          throw new NetworkError(
            `${request.service}: ${request.operation} failed after ${attemptNumber} attempt(s): ` +
              `${why} (${outcome.code}) on ${request.method} ${displayUrl(url)}. ` +
              (atDeadline
                ? "The operation's deadline was reached; nothing more is sent."
                : "Check that the endpoint is reachable; raise the retry budget if the service is only slow."),
            attemptNumber,
            { cause: outcome.error },
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
        reporter.info(
          `${request.service}: ${request.operation}: throttled (${decision.reason}${id}, ${throttledAnswers} of at most ${maxThrottledAnswers}); retrying in ${delay}`,
        );
      } else {
        reporter.info(
          `${request.service}: ${request.operation}: ${decision.reason}${id}; ` +
            `attempt ${attemptNumber - throttledAnswers + 1} of ${settings.maxAttempts} in ${delay}`,
        );
      }
      try {
        await sleep(decision.delayMs);
      } catch (error) {
        if (signal?.aborted) throw cancelled(attemptNumber);
        throw error;
      }
    }
  }

  const client = (deadline: number): HttpClient => ({
    send: (request) => send(request, deadline),
    withDeadline: (deadlineMs) => client(Math.min(deadline, deadlineMs)),
  });
  return client(Infinity);
}
