/**
 * Waiting for a target to stop, and recording a termination whose wait (or part of whose work)
 * failed: the request went out, so the engine must record the resource as incomplete, and the next
 * `pulumi up` resumes instead of terminating again or losing the record.
 */
import { TerminationIncompleteError, WaitTimeoutError } from "../errors";
import { waitDefaults } from "./commonFields";
import type { TerminationInputs } from "./inputs.generated";
import type { PollResult, Recorded, Session, Target } from "./contract";
import type { Reporter } from "./reporter";

/** What a wait needs from the provider that runs it. */
export interface Waiter<Inputs, Settings, Details> {
  target: Target<Inputs, Settings, Details>;
  reporter: Reporter;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** First poll interval; later ones grow to `maxPollIntervalMs`. */
  pollIntervalMs: number;
  maxPollIntervalMs: number;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export const retryHint = "\nRun `pulumi up` again to retry what failed.";

/**
 * Part of the work did not go through: the engine records the resource with these properties, as
 * requested (never beside a `completedAt`), and the next `pulumi up` retries it.
 */
export function incompleteError(message: string, id: string, outs: object): TerminationIncompleteError {
  const { completedAt: _, ...properties } = { ...outs, completedAt: undefined, outcome: "requested" };
  return new TerminationIncompleteError(message, id, properties);
}

/**
 * The dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider) prints an error thrown by `read`
 * to stderr as `${error}: ${error.stack}`, which the CLI shows, and hands `error.message` to the
 * engine, which reports it on the resource. So that the user reads the message once and no install
 * paths, the printed line becomes `${where}: the error is reported on the resource`.
 */
export function reportedOnce(error: unknown, where: string): unknown {
  if (!(error instanceof Error)) return error;
  Object.defineProperty(error, "toString", { value: () => where, configurable: true });
  Object.defineProperty(error, "stack", {
    value: "the error is reported on the resource",
    configurable: true,
    writable: true,
  });
  return error;
}

/**
 * Waits. Whatever goes wrong now (a timeout, a status read that fails), the request went out:
 * the engine must record the resource, so that the next `pulumi up` resumes the wait instead of
 * terminating again or losing the record.
 */
export async function waitOrRecordIncomplete<Inputs extends TerminationInputs, Settings, Details>(
  waiter: Waiter<Inputs, Settings, Details>,
  id: string,
  settings: Settings,
  session: Session,
  record: Recorded<Inputs, Details>,
  /** Part of the work that already failed: named in the error too, whatever the wait does. */
  incomplete?: string,
): Promise<Recorded<Inputs, Details>> {
  try {
    const last = await waitUntilStopped(waiter, record, settings, session);
    const stopped = {
      ...record,
      ...last.details,
      outcome: "terminated" as const,
      completedAt: isoTime(waiter.now()),
    };
    // As in `read`: gone is what this look found, not what an earlier refresh did.
    if (last.gone) return { ...stopped, targetGone: true };
    Reflect.deleteProperty(stopped, "targetGone");
    return stopped;
  } catch (error) {
    const remedy =
      error instanceof WaitTimeoutError ? "resume waiting, or raise waitTimeoutSeconds" : "resume waiting";
    throw incompleteError(
      `${incomplete ? `${incomplete}\n` : ""}${(error as Error).message.replace(/\.$/, "")}. The termination request was sent (request id ${String(record.requestId ?? "unknown")}); ` +
        `run \`pulumi up\` again to ${incomplete ? "retry what failed and " : ""}${remedy}.`,
      id,
      record,
    );
  }
}

/**
 * Polls until the target has stopped or the deadline passes. The reads go through a client bound
 * to the deadline, so that a hung read or a retry cannot hold the wait past it. A target deleted
 * after its termination was sent (the target's `isGone`) has stopped too: nothing of it runs, and
 * waiting on would fail every later `pulumi up` on it; the record says `targetGone: true`.
 */
async function waitUntilStopped<Inputs extends TerminationInputs, Settings, Details>(
  waiter: Waiter<Inputs, Settings, Details>,
  record: Inputs & Details,
  settings: Settings,
  session: Session,
): Promise<{ details?: Details; gone?: true }> {
  const { target, reporter, now } = waiter;
  const describe = target.describe(record);
  const timeoutMs = (record.waitTimeoutSeconds ?? waitDefaults.waitTimeoutSeconds) * 1000;
  const started = now();
  const deadline = started + timeoutMs;
  const bound: Session = { ...session, http: session.http.withDeadline(deadline) };
  let interval = waiter.pollIntervalMs;
  let lastSummary = "";
  for (;;) {
    let result: PollResult<Details>;
    try {
      result = await target.poll(record, settings, bound);
    } catch (error) {
      if (target.isGone(error)) {
        const elapsed = Math.round((now() - started) / 1000);
        reporter.info(
          `${describe}: deleted after its termination was sent, so it runs no more (${(error as Error).message.replace(/\.$/, "")}); stopped after ${elapsed}s`,
        );
        return { gone: true };
      }
      if (now() < deadline) throw error;
      const seen = lastSummary ? `last seen: ${lastSummary}` : "nothing seen yet";
      throw new WaitTimeoutError(
        `${describe}: not stopped after waitTimeoutSeconds=${timeoutMs / 1000}; ${seen}; ` +
          `the status read at the deadline was cut off: ${(error as Error).message.replace(/\.$/, "")}`,
        { cause: error },
      );
    }
    const elapsed = Math.round((now() - started) / 1000);
    if (result.stopped) {
      reporter.info(`${describe}: ${result.summary} after ${elapsed}s`);
      return result;
    }
    if (result.summary !== lastSummary) {
      reporter.info(`${describe}: ${result.summary}; waiting (${elapsed}s of ${timeoutMs / 1000}s)`);
      lastSummary = result.summary;
    }
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new WaitTimeoutError(
        `${describe}: not stopped after waitTimeoutSeconds=${timeoutMs / 1000}; last seen: ${result.summary}`,
      );
    }
    await waiter.sleep(Math.min(interval, remaining));
    interval = Math.min(waiter.maxPollIntervalMs, Math.round(interval * 1.5));
  }
}
