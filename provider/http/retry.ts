/**
 * The retry policy, stated once: retried are network errors (reset, timeout, refused while
 * connecting), 429 (honouring Retry-After in seconds), 502/503/504, and a 500 whose body carries no
 * service error code. Never retried: any other 4xx, a 500 with a business code, and unknown errors.
 * Delays grow exponentially with jitter, capped; attempts, throttled answers and total time are all
 * bounded. A pure function, so the policy is tested as a table.
 */
import type { HttpSettings } from "./settings";
import { lookupCode } from "../core/codeTable";

const baseDelayMs = 500;
const maxDelayMs = 10_000;
/**
 * Throttled answers (429) do not use up `maxAttempts` (the request was turned away, not tried), but
 * they are bounded too: a gateway that keeps saying 429, even with `Retry-After: 0`, is given up on.
 */
export const maxThrottledAnswers = 10;

export type AttemptOutcome =
  | { kind: "response"; status: number; data: unknown; retryAfterSeconds?: number }
  | { kind: "network"; code: string; message: string; connected: boolean; error?: unknown };

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

/**
 * Pure: what to do after an attempt. Exported for the table tests. `attempt` counts the attempts
 * that were not throttled, `throttled` the 429 answers so far (this one included).
 */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  elapsedMs: number,
  settings: Pick<HttpSettings, "maxAttempts" | "maxRetryMs">,
  random: number,
  isBusinessError: (status: number, data: unknown) => boolean = () => false,
  throttled = 1,
): RetryDecision {
  let reason: string;
  let uncertain: boolean;
  let retryAfterMs: number | undefined;
  if (outcome.kind === "network") {
    const known = lookupCode(retriedNetworkCodes, outcome.code);
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
  // A 429 was turned away, not tried: it has its own count, not the attempts'.
  const isThrottled = outcome.kind === "response" && outcome.status === 429;
  const tries = isThrottled ? Math.max(1, throttled) : attempt;
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (tries - 1));
  // "Equal jitter": half fixed, half random, so parallel clients spread out but never retry at once.
  const jittered = Math.round(backoff / 2 + (backoff / 2) * random);
  // Retry-After is honoured, but the backoff is its floor: `Retry-After: 0` must not become a tight loop.
  const delayMs = isThrottled ? Math.max(retryAfterMs ?? 0, jittered) : (retryAfterMs ?? jittered);
  const allowed = isThrottled ? tries < maxThrottledAnswers : attempt < settings.maxAttempts;
  const retry = allowed && elapsedMs + delayMs <= settings.maxRetryMs;
  return { retry, delayMs, reason, uncertain, throttled: isThrottled };
}
