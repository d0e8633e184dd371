/**
 * The termination lifecycle, written once for every target:
 * - check: validates inputs (and that settings can be resolved), sends nothing;
 * - diff: a changed target or `triggers` replaces (terminates again), wait settings update in place;
 *   a record left incomplete is a change (an update) until it is complete, whatever refreshes happen;
 * - create: terminates, then waits until the target has stopped;
 * - read: reports the target's live state, changes nothing (an incomplete record stays incomplete);
 *   without state (`pulumi import`), rebuilds the record of a termination that is over from the
 *   target, as observed, sending only reads;
 * - update: keeps the record; on one left incomplete, retries what did not go through, then waits;
 * - delete: sends nothing, because a termination cannot be undone.
 * A target (NodeMan, MRS) supplies only its fields, its request and its status reading.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ConfigurationError, TerminationError } from "../errors";
import { createHttpClient, type HttpClient } from "../http/client";
import { parseHttpSettings, type HttpSettings } from "../http/settings";
import {
  diffFields,
  forEngine,
  UNKNOWN,
  validateFields,
  valueOf,
  type CheckFailure,
} from "../validation/fields";
import type { EngineValues, Recorded, Session, Target } from "./contract";
import { parseImportId } from "./importId";
import { consoleReporter, type Reporter } from "./reporter";
import {
  configurationError,
  emptyConfig,
  findSetting,
  throwFailures,
  type ConfigSource,
  type SettingsContext,
} from "./settings";
import {
  incompleteError,
  isoTime,
  reportedOnce,
  retryHint,
  waitOrRecordIncomplete,
  type Waiter,
} from "./wait";
import type { TerminationInputs } from "./inputs.generated";
import { misspelledSettings, preflightSetting } from "../targets/configKeys";

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
  /** The engine's cancel (the plugin's `Cancel`); the dynamic provider's host has none. */
  signal?: AbortSignal;
}

/**
 * The engine's values as the target's types: `check` validated them against the field table the
 * types are generated from, and state holds what an earlier `create` recorded from such values.
 * The one place where values from the wire become typed.
 */
function typed<T>(values: EngineValues<T>): T {
  return values as T;
}

/**
 * The configuration as a ConfigSource that lists its keys. The dynamic provider host hands over its
 * `Config`, which keeps the stack's whole configuration in `rawConfig` (@pulumi/pulumi
 * cmd/dynamic-provider/config.ts) but offers only `get`: its keys are read from there.
 */
function listed(config: ConfigSource | dynamic.Config): ConfigSource {
  if ("keys" in config || "names" in config) return config as ConfigSource;
  const raw: unknown = Reflect.get(config, "rawConfig");
  const source: ConfigSource = { get: (key) => config.get(key) };
  if (typeof raw === "object" && raw !== null) source.keys = () => Object.keys(raw);
  return source;
}

/**
 * Whether a read has no state to go on, only an id: `pulumi import`, the `import` resource option,
 * or a `get` by id alone. (The dynamic door's host adds `__provider` to what it passes.)
 */
export function isStateless(props: object): boolean {
  return Object.keys(props).every((key) => key === "__provider");
}

/** The provider object the engine drives; generic over the target. */
export class TerminationProvider<
  Inputs extends TerminationInputs,
  Settings,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as the SDK's own ResourceProvider default
  Details = any,
> implements dynamic.ResourceProvider<Inputs, Recorded<Inputs, Details>> {
  private config: ConfigSource = emptyConfig;
  private httpClient: HttpClient | undefined;
  private preflightClient: HttpClient | undefined;
  /** HTTP settings parsed once per configuration (a CA bundle is a file read): `check` reports their failures. */
  private httpSettings: ReturnType<typeof parseHttpSettings> | undefined;
  /** Resolved settings by identifying inputs; config only changes through configure. */
  private readonly settingsCache = new Map<string, Settings>();
  private readonly waiter: Waiter<Inputs, Settings, Details>;
  private readonly env: Record<string, string | undefined>;
  private readonly preflightInCheck: boolean;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly target: Target<Inputs, Settings, Details>,
    options: ProviderOptions = {},
  ) {
    this.waiter = {
      target,
      reporter: options.reporter ?? consoleReporter,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      maxPollIntervalMs: options.maxPollIntervalMs ?? 10_000,
    };
    this.env = options.env ?? process.env;
    this.preflightInCheck = options.preflightInCheck ?? true;
    this.signal = options.signal;
  }

  private get reporter(): Reporter {
    return this.waiter.reporter;
  }

  async configure(request: dynamic.ConfigureRequest | { config: ConfigSource }): Promise<void> {
    this.config = listed(request.config);
    this.httpClient = undefined;
    this.preflightClient = undefined;
    this.httpSettings = undefined;
    this.settingsCache.clear();
  }

  /** The identifying (replace) fields: what a termination is of. */
  private get identity(): string[] {
    const fields = this.target.fields;
    return Object.keys(fields).filter((field) => fields[field].onChange === "replace");
  }

  /** Settings depend only on config, environment and the identifying (replace) inputs. */
  private settingsFor(inputs: Inputs): Settings {
    const key = JSON.stringify(this.identity.map((field) => valueOf(inputs, field) ?? null));
    let settings = this.settingsCache.get(key);
    if (!settings)
      this.settingsCache.set(key, (settings = this.target.resolveSettings(inputs, this.context)));
    return settings;
  }

  private get context(): SettingsContext {
    return { config: this.config, env: this.env };
  }

  /** The parsed HTTP settings; a client is only made from settings without failures. */
  private usableHttpSettings(): HttpSettings {
    this.httpSettings ??= parseHttpSettings(this.context);
    throwFailures(this.httpSettings.failures);
    return this.httpSettings.settings;
  }

  private session(): Session {
    const { reporter, sleep, now } = this.waiter;
    const { signal } = this;
    this.httpClient ??= createHttpClient(this.usableHttpSettings(), { reporter, sleep, now, signal });
    return { http: this.httpClient, reporter, now, sleep, signal };
  }

  async check(olds: EngineValues<Inputs>, news: EngineValues<Inputs>): Promise<dynamic.CheckResult<Inputs>> {
    const inputs = typed(news);
    const failures = validateFields(inputs, this.target.fields);
    failures.push(...misspelledSettings(this.config));
    failures.push(...this.target.checkSettings(inputs, this.context));
    failures.push(...(this.httpSettings ??= parseHttpSettings(this.context)).failures);
    const preflight = findSetting(this.context, preflightSetting);
    if (preflight && !["true", "false"].includes(preflight.value))
      failures.push({
        property: "preflight",
        reason: `${preflight.origin} must be "true" or "false", got "${preflight.value}"`,
      });
    if (failures.length === 0 && this.preflightInCheck && this.wantsPreflight(olds, inputs))
      failures.push(...(await this.preflight(inputs)));
    return { inputs, failures: forEngine(failures, inputs) };
  }

  /**
   * Only when this check leads to a termination (a new resource, or a replacement) and every
   * identifying input is known; `preflight: false`, else `termination:preflight`, else
   * `TERMINATION_PREFLIGHT` turns it off (the first of them that is set decides).
   */
  wantsPreflight(olds: EngineValues<Inputs>, news: EngineValues<Inputs>): boolean {
    const given = valueOf(news, "preflight");
    const argument = typeof given === "boolean" ? given : undefined;
    if (findSetting(this.context, preflightSetting, argument, "preflight")?.value === "false") return false;
    if (this.identity.some((key) => JSON.stringify(valueOf(news, key) ?? null).includes(UNKNOWN)))
      return false;
    const isNew = Object.keys(olds).length === 0;
    return isNew || diffFields(olds, news, this.target.fields).replaces.length > 0;
  }

  /**
   * Read-only: shows what will be terminated. Fails on a target that does not exist, and on
   * credentials the API refuses (thrown: no input is at fault); warns when the API is unreachable
   * or failing, and the preview goes on.
   */
  async preflight(news: EngineValues<Inputs>): Promise<CheckFailure[]> {
    const inputs = typed(news);
    const { reporter, sleep, now } = this.waiter;
    try {
      this.preflightClient ??= createHttpClient(
        { ...this.usableHttpSettings(), ...preflightHttp },
        { reporter, sleep, now, signal: this.signal },
      );
      const session = { ...this.session(), http: this.preflightClient };
      const result = await this.target.preflight(inputs, this.settingsFor(inputs), session);
      if (!result.found) return [{ property: result.property, reason: result.reason }];
      reporter.info(result.message);
    } catch (error) {
      const where = this.target.describe(inputs);
      if (this.target.isCredentialsRefused(error))
        throw reportedOnce(
          new ConfigurationError(
            `${where}: the API refused the credentials, so \`up\` would fail too: ${(error as Error).message}`,
            { cause: error },
          ),
          `${where}: preview failed`,
        );
      reporter.warn(
        `${where}: preflight could not read the target, the preview goes on without it: ${(error as Error).message}`,
      );
    }
    return [];
  }

  /**
   * A record left incomplete (a kill refused or lost, a wait not ended) is a change, an update, until
   * `update` completes it: the engine's own reminder (its init errors) is cleared by any refresh, this
   * is not. The update sends again only what did not go through.
   */
  async diff(
    _id: string,
    olds: EngineValues<Recorded<Inputs, Details>>,
    news: EngineValues<Inputs>,
  ): Promise<dynamic.DiffResult> {
    const { changes, replaces } = diffFields(olds, news, this.target.fields);
    const record = this.updated(olds, news);
    const incomplete = replaces.length === 0 ? this.unfinished(record) : undefined;
    if (incomplete)
      this.reporter.warn(
        `${this.target.describe(record)}: incomplete: ${incomplete}. ` +
          "`pulumi up` resumes it (an update: what went through is not sent again)",
      );
    return {
      changes: changes || incomplete !== undefined,
      replaces,
      deleteBeforeReplace: false,
    };
  }

  /**
   * What a record left incomplete still has to do, in words; undefined when it is complete. Only a
   * `requested` record is incomplete, and one of `waitForTermination: false` only while some of
   * its work did not go through: the user's `waitForTermination: false` accepts an unended wait.
   */
  unfinished(record: Recorded<Inputs, Details>): string | undefined {
    if (record.outcome !== "requested") return undefined;
    const left = this.target.pending?.(record) ?? [];
    if (left.length === 0 && record.waitForTermination !== false)
      left.push("its wait for the target to stop did not end (timed out, failed or was interrupted)");
    return left.length > 0 ? left.join("; ") : undefined;
  }

  /** The record with the inputs of this program: what `update` works on and keeps. */
  private updated(
    olds: EngineValues<Recorded<Inputs, Details>>,
    news: EngineValues<Inputs>,
  ): Recorded<Inputs, Details> {
    const outs = { ...typed(olds) };
    for (const key of Object.keys(this.target.fields)) {
      const value = valueOf(news, key);
      if (value === undefined) Reflect.deleteProperty(outs, key);
      else Reflect.set(outs, key, value);
    }
    return outs;
  }

  async create(news: EngineValues<Inputs>): Promise<dynamic.CreateResult<Recorded<Inputs, Details>>> {
    const inputs = typed(news);
    const { target, reporter, now } = this.waiter;
    const settings = this.settingsFor(inputs);
    const session = this.session();
    const requestedAt = now();
    const start = await target.terminate(inputs, settings, session);
    const id = `${target.idPrefix(inputs)}@${requestedAt}`;
    const record: Recorded<Inputs, Details> = {
      ...inputs,
      ...start.details,
      outcome: start.outcome,
      requestedAt: isoTime(requestedAt),
      ...(start.requestId ? { requestId: start.requestId } : {}),
    };
    if (start.outcome !== "terminated") {
      reporter.info(`${target.describe(inputs)}: ${start.outcome}, nothing was terminated`);
      return { id, outs: { ...record, completedAt: isoTime(now()) } };
    }
    const incomplete = start.incomplete && `${target.describe(inputs)}: ${start.incomplete}`;
    let outs: Recorded<Inputs, Details> = { ...record, outcome: "requested" };
    if (inputs.waitForTermination === false) {
      reporter.info(
        `${target.describe(inputs)}: termination requested; not waiting (waitForTermination: false)`,
      );
    } else {
      outs = await waitOrRecordIncomplete(this.waiter, id, settings, session, record, incomplete);
    }
    if (incomplete) throw incompleteError(incomplete + retryHint, id, outs);
    return { id, outs };
  }

  /**
   * Refresh: the live state; a target deleted since keeps its record, marked `targetGone: true`.
   * Without state (`pulumi import`): the record of the termination the id names, rebuilt.
   */
  async read(
    id: string,
    props: EngineValues<Recorded<Inputs, Details>> = {},
  ): Promise<dynamic.ReadResult<Recorded<Inputs, Details>>> {
    if (isStateless(props)) return this.imported(id);
    const record = { ...typed(props) };
    Reflect.deleteProperty(record, "targetGone");
    try {
      const result = await this.target.poll(record, this.settingsFor(record), this.session());
      return { id, props: { ...record, ...result.details } };
    } catch (error) {
      if (this.target.isGone(error)) return { id, props: { ...record, targetGone: true } };
      throw reportedOnce(error, `${this.target.typeName} ${id}: refresh failed`);
    }
  }

  /** The inputs a record holds: what an import hands the engine as the resource's inputs. */
  inputsOf(record: EngineValues<Recorded<Inputs, Details>>): Inputs {
    const fields = Object.keys(this.target.fields);
    return typed<Inputs>(Object.fromEntries(Object.entries(record).filter(([key]) => fields.includes(key))));
  }

  /**
   * `pulumi import`: reads the target the id names and records its termination as observed (a job
   * killed by hand is `already-finished`, KILLED), with the inputs the id names and `imported: true`.
   * Only reads are sent; a target still running is refused, for nothing terminated it.
   */
  private async imported(id: string): Promise<dynamic.ReadResult<Recorded<Inputs, Details>>> {
    const { target, now, reporter } = this.waiter;
    const inputs = typed<Inputs>(parseImportId(id, target));
    const failures = target.checkSettings(inputs, this.context);
    if (failures.length > 0) throw configurationError(failures);
    const what = target.describe(inputs);
    let seen;
    try {
      seen = await target.importing.observe(inputs, this.settingsFor(inputs), this.session());
    } catch (error) {
      if (target.isGone(error))
        throw new TerminationError(
          `${target.typeName}: cannot import ${JSON.stringify(id)}: ${what} does not exist (${(error as Error).message}). Nothing was sent.`,
        );
      throw reportedOnce(error, `${target.typeName} ${id}: import failed`);
    }
    const at = isoTime(now());
    reporter.info(`${what}: imported as ${seen.outcome}, as observed; nothing was sent`);
    const record = { ...inputs, ...seen.details, outcome: seen.outcome, requestedAt: at, completedAt: at };
    return { id, props: { ...record, imported: true } };
  }

  async update(
    id: string,
    olds: EngineValues<Recorded<Inputs, Details>>,
    news: EngineValues<Inputs>,
  ): Promise<dynamic.UpdateResult<Recorded<Inputs, Details>>> {
    const outs = this.updated(olds, news);
    if (outs.outcome !== "requested") return { outs };
    // An incomplete record: what did not go through is sent again (the target's resume), then a wait
    // that timed out or was skipped resumes; what went through is never sent again.
    const { target } = this.waiter;
    const settings = this.settingsFor(outs);
    const session = this.session();
    let record = outs;
    let incomplete: string | undefined;
    if (target.resume) {
      const resumed = await target.resume(outs, settings, session);
      record = {
        ...outs,
        ...resumed.details,
        ...(resumed.requestId ? { requestId: resumed.requestId } : {}),
      };
      incomplete = resumed.incomplete && `${target.describe(outs)}: ${resumed.incomplete}`;
    }
    if (outs.waitForTermination !== false)
      record = await waitOrRecordIncomplete(this.waiter, id, settings, session, record, incomplete);
    if (incomplete) throw incompleteError(incomplete + retryHint, id, record);
    return { outs: record };
  }

  async delete(_id: string, props: EngineValues<Recorded<Inputs, Details>>): Promise<void> {
    this.reporter.info(
      `${this.target.describe(typed(props))}: removed from the stack; nothing was sent (a termination cannot be undone)`,
    );
  }
}
