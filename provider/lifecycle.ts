/**
 * The termination lifecycle, written once for every target:
 * - check: validates inputs (and that settings can be resolved), sends nothing;
 * - diff: a changed target or `triggers` replaces (terminates again), wait settings update in place;
 * - create: terminates, then waits until the target has stopped;
 * - read: reports the target's live state, changes nothing;
 * - update: keeps the record; on one left incomplete, retries what did not go through, then waits;
 * - delete: sends nothing, because a termination cannot be undone.
 * A target (NodeMan, MRS) supplies only its fields, its request and its status reading.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  emptyConfig,
  findSetting,
  parseHttpSettings,
  resolveHttpSettings,
  type ConfigSource,
  type SettingsContext,
} from "./config";
import { TerminationIncompleteError, WaitTimeoutError } from "./errors";
import { createHttpClient, type HttpClient, type Reporter } from "./http";
import { diffFields, UNKNOWN, validateFields, type CheckFailure, type FieldTable } from "./validation";

const preflightSetting = { config: "termination:preflight", env: ["TERMINATION_PREFLIGHT"] };

export type Outcome = "terminated" | "nothing-running" | "already-finished" | "requested";

/** Outputs every termination records, beside its inputs and the target's own details. */
export interface TerminationRecord {
  outcome: Outcome;
  /** ISO 8601: when the termination request was sent (or found unnecessary). */
  requestedAt: string;
  /** ISO 8601: when the target was seen stopped; absent while that is not known. */
  completedAt?: string;
  /** The service's request id of the kill or revoke, when one was sent. */
  requestId?: string;
  /** Set by a refresh that found the target deleted (job, cluster, subscription); the rest is as last seen. */
  targetGone?: true;
}

export interface Session {
  http: HttpClient;
  reporter: Reporter;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** What a target's `terminate` found. */
export interface StartResult {
  outcome: Exclude<Outcome, "requested">;
  requestId?: string;
  /** Target-specific outputs: job state, instance statuses. */
  details: Record<string, unknown>;
  /** Set when part of the work failed after some of it was sent: the resource is recorded incomplete. */
  incomplete?: string;
}

export interface PollResult {
  stopped: boolean;
  /** What was seen, for progress lines and timeout errors: "job RUNNING", "2 of 3 instances RUNNING". */
  summary: string;
  details: Record<string, unknown>;
}

/** What `resume` did for a record left incomplete. */
export interface ResumeResult {
  /** Target-specific outputs, merged into the record. */
  details: Record<string, unknown>;
  /** Set when part of the work still did not go through: the resource stays recorded incomplete. */
  incomplete?: string;
}

/** What a preview should show about a target that is about to be terminated. */
export type PreflightResult =
  | { found: true; message: string }
  /** The target does not exist, or may not be terminated as given: the preview fails on this property. */
  | { found: false; property: string; reason: string };

export interface Target<Inputs, Settings> {
  /** Resource type name, for messages: "MrsJobTermination". */
  typeName: string;
  fields: FieldTable;
  /** Failures that need more than one field, or settings (config/environment) that are missing. */
  checkSettings(news: Record<string, unknown>, context: SettingsContext): CheckFailure[];
  resolveSettings(inputs: Inputs, context: SettingsContext): Settings;
  /** "MRS job j1 in cluster c1", for messages and the resource id. */
  describe(inputs: Inputs): string;
  idPrefix(inputs: Inputs): string;
  /** Reads what it must and sends the termination request once. */
  terminate(inputs: Inputs, settings: Settings, session: Session): Promise<StartResult>;
  /**
   * Optional. On a record left incomplete (`outcome: "requested"`), `update` calls this before
   * waiting: it sends again, once, what create recorded as not gone through, and nothing else.
   */
  resume?(record: Inputs, settings: Settings, session: Session): Promise<ResumeResult>;
  /** One read-only look at the target; `record` is the inputs with what create recorded. */
  poll(record: Inputs, settings: Settings, session: Session): Promise<PollResult>;
  /** One read-only look for the preview: what will be terminated. */
  preflight(inputs: Inputs, settings: Settings, session: Session): Promise<PreflightResult>;
  /**
   * Whether an error from `poll` says the target no longer exists (deleted after the termination):
   * `read` then keeps the record and marks it `targetGone: true`. A wait still fails on it.
   */
  isGone(error: unknown): boolean;
}

export interface WaitInputs {
  waitForTermination?: boolean;
  waitTimeoutSeconds?: number;
}

export const waitDefaults = { waitForTermination: true, waitTimeoutSeconds: 300 };

/** Fields every termination has, merged into each target's table. */
export const commonFields: FieldTable = {
  waitForTermination: {
    type: "boolean",
    onChange: "update",
    default: true,
    description: "wait until the target has stopped (default true)",
  },
  waitTimeoutSeconds: {
    type: "integer",
    min: 1,
    max: 86_400,
    onChange: "update",
    default: 300,
    description: "how long to wait, in seconds (default 300)",
  },
  triggers: { type: "list", onChange: "replace", description: "any change terminates again" },
  preflight: {
    type: "boolean",
    onChange: "ignore",
    default: true,
    description: "read the target during preview to show what will be terminated (default true)",
  },
};

/** A preview must not stall on an unreachable API: the preflight gets a small budget of its own. */
const preflightHttp = { maxAttempts: 2, requestTimeoutMs: 10_000, maxRetryMs: 5_000 };

export interface ProviderOptions {
  reporter?: Reporter;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  env?: Record<string, string | undefined>;
  /** First poll interval; later ones grow to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** False when the caller runs `preflight` itself (the plugin does, in its preview of `create`). */
  preflightInCheck?: boolean;
}

/** Output lines reach `pulumi up` through the provider process's stdout. */
export const consoleReporter: Reporter = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
};

type Props = Record<string, unknown>;

/**
 * The dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider) prints an error thrown by `read`
 * to stderr as `${error}: ${error.stack}`, which the CLI shows, and hands `error.message` to the
 * engine, which reports it on the resource. So that the user reads the message once and no install
 * paths, the printed line becomes `${where}: the error is reported on the resource`.
 */
function reportedOnce(error: unknown, where: string): unknown {
  if (!(error instanceof Error)) return error;
  Object.defineProperty(error, "toString", { value: () => where, configurable: true });
  Object.defineProperty(error, "stack", {
    value: "the error is reported on the resource",
    configurable: true,
    writable: true,
  });
  return error;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Part of the work did not go through: the engine records the resource with these properties, as
 * requested (never beside a `completedAt`), and the next `pulumi up` retries it.
 */
function incompleteError(message: string, id: string, outs: Props): TerminationIncompleteError {
  const properties: Props = { ...outs, outcome: "requested" };
  delete properties.completedAt;
  return new TerminationIncompleteError(message, id, properties);
}

const retryHint = "\nRun `pulumi up` again to retry what failed.";

/** The provider object the engine drives; generic over the target. */
export class TerminationProvider<Inputs extends WaitInputs, Settings> implements dynamic.ResourceProvider {
  private config: ConfigSource = emptyConfig;
  private httpClient: HttpClient | undefined;
  private preflightClient: HttpClient | undefined;
  /** Resolved settings by identifying inputs; config only changes through configure. */
  private readonly settingsCache = new Map<string, Settings>();
  private readonly reporter: Reporter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly env: Record<string, string | undefined>;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly preflightInCheck: boolean;

  constructor(
    private readonly target: Target<Inputs, Settings>,
    options: ProviderOptions = {},
  ) {
    this.reporter = options.reporter ?? consoleReporter;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.env = options.env ?? process.env;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 10_000;
    this.preflightInCheck = options.preflightInCheck ?? true;
  }

  async configure(request: dynamic.ConfigureRequest): Promise<void> {
    this.config = request.config;
    this.httpClient = undefined;
    this.preflightClient = undefined;
    this.settingsCache.clear();
  }

  /** Settings depend only on config, environment and the identifying (replace) inputs. */
  private settingsFor(inputs: Inputs): Settings {
    const record = inputs as unknown as Props;
    const key = JSON.stringify(
      Object.keys(this.target.fields)
        .filter((field) => this.target.fields[field].onChange === "replace")
        .map((field) => record[field] ?? null),
    );
    let settings = this.settingsCache.get(key);
    if (!settings)
      this.settingsCache.set(key, (settings = this.target.resolveSettings(inputs, this.context)));
    return settings;
  }

  private get context(): SettingsContext {
    return { config: this.config, env: this.env };
  }

  private session(): Session {
    this.httpClient ??= createHttpClient(resolveHttpSettings(this.context), {
      reporter: this.reporter,
      sleep: this.sleep,
      now: this.now,
    });
    return { http: this.httpClient, reporter: this.reporter, now: this.now, sleep: this.sleep };
  }

  async check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
    const failures = validateFields(news, this.target.fields);
    failures.push(...this.target.checkSettings(news, this.context));
    failures.push(...parseHttpSettings(this.context).failures);
    const preflight = findSetting(this.context, preflightSetting);
    if (preflight && !["true", "false"].includes(preflight.value))
      failures.push({
        property: "preflight",
        reason: `${preflight.origin} must be "true" or "false", got "${preflight.value}"`,
      });
    if (failures.length === 0 && this.preflightInCheck && this.wantsPreflight(olds, news))
      failures.push(...(await this.preflight(news)));
    return { inputs: news, failures };
  }

  /**
   * Only when this check leads to a termination (a new resource, or a replacement) and every
   * identifying input is known; `preflight: false`, else `termination:preflight`, else
   * `TERMINATION_PREFLIGHT` turns it off (the first of them that is set decides).
   */
  wantsPreflight(olds: Props, news: Props): boolean {
    const argument = typeof news.preflight === "boolean" ? news.preflight : undefined;
    if (findSetting(this.context, preflightSetting, argument, "preflight")?.value === "false") return false;
    const identity = Object.keys(this.target.fields).filter(
      (key) => this.target.fields[key].onChange === "replace",
    );
    if (identity.some((key) => JSON.stringify(news[key] ?? null).includes(UNKNOWN))) return false;
    const isNew = Object.keys(olds).length === 0;
    return isNew || diffFields(olds, news, this.target.fields).replaces.length > 0;
  }

  /** Read-only: shows what will be terminated; fails on a target that does not exist; warns when unreachable. */
  async preflight(news: Props): Promise<CheckFailure[]> {
    const typed = news as unknown as Inputs;
    try {
      this.preflightClient ??= createHttpClient(
        { ...resolveHttpSettings(this.context), ...preflightHttp },
        { reporter: this.reporter, sleep: this.sleep, now: this.now },
      );
      const session = { ...this.session(), http: this.preflightClient };
      const result = await this.target.preflight(typed, this.settingsFor(typed), session);
      if (!result.found) return [{ property: result.property, reason: result.reason }];
      this.reporter.info(result.message);
    } catch (error) {
      this.reporter.warn(
        `${this.target.describe(typed)}: preflight could not read the target, the preview goes on without it: ${(error as Error).message}`,
      );
    }
    return [];
  }

  async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const { changes, replaces } = diffFields(olds, news, this.target.fields);
    return { changes, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: Props): Promise<dynamic.CreateResult> {
    const typed = inputs as unknown as Inputs;
    const settings = this.settingsFor(typed);
    const session = this.session();
    const requestedAt = this.now();
    const start = await this.target.terminate(typed, settings, session);
    const id = `${this.target.idPrefix(typed)}@${requestedAt}`;
    const record: Props = {
      ...inputs,
      ...start.details,
      outcome: start.outcome,
      requestedAt: isoTime(requestedAt),
      ...(start.requestId ? { requestId: start.requestId } : {}),
    };
    if (start.outcome !== "terminated") {
      this.reporter.info(`${this.target.describe(typed)}: ${start.outcome}, nothing was terminated`);
      return { id, outs: { ...record, completedAt: isoTime(this.now()) } };
    }
    const incomplete = start.incomplete && `${this.target.describe(typed)}: ${start.incomplete}`;
    let outs: Props = { ...record, outcome: "requested" };
    if (typed.waitForTermination === false) {
      this.reporter.info(
        `${this.target.describe(typed)}: termination requested; not waiting (waitForTermination: false)`,
      );
    } else {
      outs = await this.waitOrRecordIncomplete(id, typed, settings, session, record, incomplete);
    }
    if (incomplete) throw incompleteError(incomplete + retryHint, id, outs);
    return { id, outs };
  }

  /**
   * Waits. Whatever goes wrong now (a timeout, a status read that fails), the request went out:
   * the engine must record the resource, so that the next `pulumi up` resumes the wait instead of
   * terminating again or losing the record.
   */
  private async waitOrRecordIncomplete(
    id: string,
    inputs: Inputs,
    settings: Settings,
    session: Session,
    record: Props,
    /** Part of the work that already failed: named in the error too, whatever the wait does. */
    incomplete?: string,
  ) {
    try {
      const last = await this.waitUntilStopped({ ...inputs, ...record } as Inputs, settings, session);
      return { ...record, ...last.details, outcome: "terminated", completedAt: isoTime(this.now()) };
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
   * to the deadline, so that a hung read or a retry cannot hold the wait past it.
   */
  private async waitUntilStopped(inputs: Inputs, settings: Settings, session: Session): Promise<PollResult> {
    const timeoutMs = (inputs.waitTimeoutSeconds ?? waitDefaults.waitTimeoutSeconds) * 1000;
    const started = this.now();
    const deadline = started + timeoutMs;
    const bound: Session = { ...session, http: session.http.withDeadline(deadline) };
    let interval = this.pollIntervalMs;
    let lastSummary = "";
    for (;;) {
      let result: PollResult;
      try {
        result = await this.target.poll(inputs, settings, bound);
      } catch (error) {
        if (this.now() < deadline) throw error;
        const seen = lastSummary ? `last seen: ${lastSummary}` : "nothing seen yet";
        throw new WaitTimeoutError(
          `${this.target.describe(inputs)}: not stopped after waitTimeoutSeconds=${timeoutMs / 1000}; ${seen}; ` +
            `the status read at the deadline was cut off: ${(error as Error).message.replace(/\.$/, "")}`,
          { cause: error },
        );
      }
      const elapsed = Math.round((this.now() - started) / 1000);
      if (result.stopped) {
        this.reporter.info(`${this.target.describe(inputs)}: ${result.summary} after ${elapsed}s`);
        return result;
      }
      if (result.summary !== lastSummary) {
        this.reporter.info(
          `${this.target.describe(inputs)}: ${result.summary}; waiting (${elapsed}s of ${timeoutMs / 1000}s)`,
        );
        lastSummary = result.summary;
      }
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        throw new WaitTimeoutError(
          `${this.target.describe(inputs)}: not stopped after waitTimeoutSeconds=${timeoutMs / 1000}; last seen: ${result.summary}`,
        );
      }
      await this.sleep(Math.min(interval, remaining));
      interval = Math.min(this.maxPollIntervalMs, Math.round(interval * 1.5));
    }
  }

  /** Refresh: the live state; a target deleted since keeps its record, marked `targetGone: true`. */
  async read(id: string, props: Props): Promise<dynamic.ReadResult> {
    const typed = props as unknown as Inputs;
    const { targetGone: _, ...record } = props;
    try {
      const result = await this.target.poll(typed, this.settingsFor(typed), this.session());
      return { id, props: { ...record, ...result.details } };
    } catch (error) {
      if (this.target.isGone(error)) return { id, props: { ...record, targetGone: true } };
      throw reportedOnce(error, `${this.target.typeName} ${id}: refresh failed`);
    }
  }

  async update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
    const outs: Props = { ...olds };
    for (const key of Object.keys(this.target.fields)) {
      if (news[key] === undefined) delete outs[key];
      else outs[key] = news[key];
    }
    const typed = outs as unknown as Inputs;
    if (olds.outcome !== "requested") return { outs };
    // An incomplete record: what did not go through is sent again (the target's resume), then a wait
    // that timed out or was skipped resumes; what went through is never sent again.
    const settings = this.settingsFor(typed);
    const session = this.session();
    let record = outs;
    let incomplete: string | undefined;
    if (this.target.resume) {
      const resumed = await this.target.resume(typed, settings, session);
      record = { ...outs, ...resumed.details };
      incomplete = resumed.incomplete && `${this.target.describe(typed)}: ${resumed.incomplete}`;
    }
    if (typed.waitForTermination !== false)
      record = await this.waitOrRecordIncomplete(id, typed, settings, session, record, incomplete);
    if (incomplete) throw incompleteError(incomplete + retryHint, id, record);
    return { outs: record };
  }

  async delete(_id: string, props: Props): Promise<void> {
    this.reporter.info(
      `${this.target.describe(props as unknown as Inputs)}: removed from the stack; nothing was sent (a termination cannot be undone)`,
    );
  }
}
