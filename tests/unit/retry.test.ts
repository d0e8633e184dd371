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
