/**
 * The retry policy, stated once: retried are network errors (reset, timeout, refused while
 * connecting), 429 (honouring Retry-After in seconds), 502/503/504, and a 500 whose body carries no
 * service error code. Never retried: any other 4xx, a 500 with a business code, and unknown errors.
 * A target may say what an answer is whatever status carries it (`AnswerClass`): a throttled answer
 * is retried as a 429 is, a fault as a 502 is, a final answer never. Delays grow exponentially with
 * jitter, capped; attempts, throttled answers and total time are all bounded. A pure function, so
 * the policy is tested as a table.
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

/**
 * What a target reads an answer as by the code it carries, for answers whose HTTP status misleads
 * (a gateway that answers its throttling with HTTP 200): "throttled" (turned away), "fault" (an
 * intermediary failed; the request may have run), "final" (the service's own answer).
 */
export interface AnswerClass {
  kind: "throttled" | "fault" | "final";
  /** The code that says so, for messages. */
  code?: string;
}

export type AttemptOutcome =
  | { kind: "response"; status: number; data: unknown; retryAfterSeconds?: number; answer?: AnswerClass }
  | { kind: "network"; code: string; message: string; connected: boolean; error?: unknown };

/** A throttled answer: a 429, or one its target reads as throttled whatever its status. */
export function isThrottled(outcome: AttemptOutcome): boolean {
  return outcome.kind === "response" && (outcome.status === 429 || outcome.answer?.kind === "throttled");
}

/** Whether the retry policy looks at this answer at all: an error status, or a 2xx its target reads otherwise. */
export function needsDecision(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "network" || outcome.status >= 400) return true;
  const kind = outcome.answer?.kind;
  return kind === "throttled" || kind === "fault";
}

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
  /** Why, for the retry notice: "HTTP 503", "connection reset". */
  reason: string;
  /** The failed attempt may have reached the service. */
  uncertain: boolean;
  /** Throttled (a 429, or a throttled answer): the whole endpoint waits, and the attempt count is not used up. */
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
    const { status, answer } = outcome;
    const transient =
      answer?.kind !== "final" &&
      (status === 429 ||
        answer?.kind === "throttled" ||
        answer?.kind === "fault" ||
        status === 502 ||
        status === 503 ||
        status === 504 ||
        (status === 500 && !isBusinessError(status, outcome.data)));
    reason = answer?.code === undefined ? `HTTP ${status}` : `HTTP ${status}, code ${answer.code}`;
    if (!transient) return { retry: false, delayMs: 0, reason, uncertain: false };
    // Throttled and 503 say the request was turned away; 500, 502, 504 and faults may hide a request that ran.
    uncertain = !isThrottled(outcome) && status !== 503;
    if (outcome.retryAfterSeconds !== undefined) retryAfterMs = outcome.retryAfterSeconds * 1000;
  }
  // A throttled answer was turned away, not tried: it has its own count, not the attempts'.
  const throttledAnswer = isThrottled(outcome);
  const tries = throttledAnswer ? Math.max(1, throttled) : attempt;
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (tries - 1));
  // "Equal jitter": half fixed, half random, so parallel clients spread out but never retry at once.
  const jittered = Math.round(backoff / 2 + (backoff / 2) * random);
  // Retry-After is honoured, but the backoff is its floor: `Retry-After: 0` must not become a tight loop.
  const delayMs = throttledAnswer ? Math.max(retryAfterMs ?? 0, jittered) : (retryAfterMs ?? jittered);
  const allowed = throttledAnswer ? tries < maxThrottledAnswers : attempt < settings.maxAttempts;
  const retry = allowed && elapsedMs + delayMs <= settings.maxRetryMs;
  return { retry, delayMs, reason, uncertain, throttled: throttledAnswer };
}
