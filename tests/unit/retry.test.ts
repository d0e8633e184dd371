import { expect } from "chai";
import { decideRetry, maxThrottledAnswers } from "../../provider/http/retry";

describe("retry policy", () => {
  const settings = { maxAttempts: 3, maxRetryMs: 10_000 };
  const response = (status: number, retryAfterSeconds?: number, data?: unknown) => ({
    kind: "response" as const,
    status,
    data,
    retryAfterSeconds,
  });
  /** An answer whose target says what it is by its code (retry.ts AnswerClass). */
  const classed = (status: number, kind: "throttled" | "fault" | "final") => ({
    ...response(status),
    answer: { kind, code: "1642902" },
  });
  const network = (code: string, connected = true) => ({
    kind: "network" as const,
    code,
    message: code,
    connected,
  });
  const cases: [string, Parameters<typeof decideRetry>[0], number, boolean, boolean][] = [
    ["503 is retried, turned away", response(503), 1, true, false],
    ["502 is retried, may have run", response(502), 1, true, true],
    ["504 is retried", response(504), 1, true, true],
    ["500 without a service code is retried", response(500), 1, true, true],
    ["500 with a service code is not", response(500, undefined, { error_code: "0175" }), 1, false, false],
    ["429 is retried", response(429, 1), 1, true, false],
    ["400 is not", response(400), 1, false, false],
    ["401 is not", response(401), 1, false, false],
    ["connection reset is retried", network("ECONNRESET"), 1, true, true],
    ["refused is retried, never reached", network("ECONNREFUSED", false), 1, true, false],
    ["timeout is retried", network("ETIMEDOUT"), 1, true, true],
    ["unknown error is not", network("EWHATEVER"), 1, false, true],
    ["last attempt is not", response(503), 3, false, false],
    [
      "a 200 its target reads as throttled is retried, turned away",
      classed(200, "throttled"),
      1,
      true,
      false,
    ],
    ["a 400 its target reads as throttled is retried", classed(400, "throttled"), 1, true, false],
    ["a 200 its target reads as a fault is retried, may have run", classed(200, "fault"), 1, true, true],
    ["a 500 its target reads as final is not", classed(500, "final"), 1, false, false],
    ["a 502 its target reads as final is not", classed(502, "final"), 1, false, false],
    ["a 503 its target reads as a fault is retried, turned away", classed(503, "fault"), 1, true, false],
  ];
  for (const [name, outcome, attempt, retry, uncertain] of cases) {
    it(name, () => {
      const decision = decideRetry(outcome, attempt, 0, settings, 0.5, (_s, data) => data !== undefined);
      expect({ retry: decision.retry, uncertain: decision.uncertain }).to.deep.equal({ retry, uncertain });
    });
  }

  it("honours Retry-After in seconds", () => {
    expect(decideRetry(response(429, 3), 1, 0, settings, 0.5).delayMs).to.equal(3000);
  });
  it("grows the delay exponentially with jitter, capped", () => {
    const delays = [1, 2, 3, 10].map(
      (n) => decideRetry(response(503), n, 0, { maxAttempts: 20, maxRetryMs: 1e9 }, 1).delayMs,
    );
    expect(delays).to.deep.equal([500, 1000, 2000, 10000]);
    expect(decideRetry(response(503), 1, 0, settings, 0).delayMs).to.equal(250);
  });
  it("counts a throttled answer of any status as a 429: not against the attempts, and names its code", () => {
    const decision = decideRetry(classed(200, "throttled"), 10, 0, settings, 0.5, undefined, 1);
    expect(decision).to.include({ retry: true, throttled: true, reason: "HTTP 200, code 1642902" });
    expect(decideRetry(classed(200, "throttled"), 1, 0, settings, 0.5, undefined, 10).retry).to.equal(false);
  });
  it("does not count a 429 against the attempts, only against the time budget", () => {
    expect(decideRetry(response(429, 1), 10, 0, settings, 0.5)).to.include({ retry: true, throttled: true });
    expect(decideRetry(response(503), 10, 0, settings, 0.5).retry).to.equal(false);
  });
  it("floors a 429's delay at the backoff: Retry-After: 0 is no tight loop", () => {
    const delays = [1, 2, 3].map(
      (n) => decideRetry(response(429, 0), 1, 0, settings, 1, undefined, n).delayMs,
    );
    expect(delays).to.deep.equal([500, 1000, 2000]);
    expect(decideRetry(response(429), 1, 0, settings, 0, undefined, 1).delayMs).to.equal(250);
  });
  it("bounds the throttled answers: the 10th 429 is not retried", () => {
    expect(decideRetry(response(429, 0), 1, 0, settings, 0.5, undefined, 9).retry).to.equal(true);
    expect(decideRetry(response(429, 0), 1, 0, settings, 0.5, undefined, 10).retry).to.equal(false);
    expect(maxThrottledAnswers).to.equal(10);
  });
  it("stops when the next delay would pass the time budget", () => {
    expect(decideRetry(response(429, 5), 1, 6_000, settings, 0.5).retry).to.equal(false);
  });
});
