/**
 * The contract a target implements: what the generic lifecycle (`provider.ts`) calls, and what it
 * records. A target (NodeMan, MRS) supplies only its fields, its request and its status reading.
 */
import type { CheckFailure, FieldTable } from "../validation/fields";
import type { HttpClient } from "../http/client";
import type { OutputTable } from "./outputs";
import type { Outcome, TerminationRecord } from "./outputs.generated";
import type { Reporter } from "./reporter";
import type { SettingsContext } from "./settings";

export type { Outcome, TerminationRecord } from "./outputs.generated";

/**
 * What a termination records: its inputs, the record every termination keeps, and the target's own
 * details (outputs such as job states, every one optional).
 */
export type Recorded<Inputs, Details> = Inputs & TerminationRecord & Details;

/**
 * Values as the engine hands them over: the contract's type, or a plain record (from a test, or a
 * state written by an earlier version). `check` validates them against the field table.
 */
export type EngineValues<T> = T | Record<string, unknown>;

export interface Session {
  http: HttpClient;
  reporter: Reporter;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** What a target's `terminate` found. */
export interface StartResult<Details> {
  outcome: Exclude<Outcome, "requested">;
  requestId?: string;
  /** Target-specific outputs: job state, instance statuses. */
  details: Details;
  /** Set when part of the work failed after some of it was sent: the resource is recorded incomplete. */
  incomplete?: string;
}

export interface PollResult<Details> {
  stopped: boolean;
  /** What was seen, for progress lines and timeout errors: "job RUNNING", "2 of 3 instances RUNNING". */
  summary: string;
  details: Details;
}

/** What `resume` did for a record left incomplete. */
export interface ResumeResult<Details> {
  /** Target-specific outputs, merged into the record. */
  details: Details;
  /** Every request id of the kills or revokes sent so far, when it changed. */
  requestId?: string;
  /** Set when part of the work still did not go through: the resource stays recorded incomplete. */
  incomplete?: string;
}

/** What a preview should show about a target that is about to be terminated. */
export type PreflightResult =
  | { found: true; message: string }
  /** The target does not exist, or may not be terminated as given: the preview fails on this property. */
  | { found: false; property: string; reason: string };

/** What one read-only look at a live target found for `pulumi import`: the record it holds. */
export interface ObservedResult<Details> {
  /** As observed: a target found final was not terminated by this stack. */
  outcome: "already-finished" | "nothing-running";
  details: Details;
}

/**
 * How a target is imported by id (`core/importId.ts` parses the part every target shares):
 * `<kind>/<path>`, where the path names what was terminated.
 */
export interface ImportSupport<Inputs, Settings, Details> {
  /** The id's first segment: "mrs". */
  kind: string;
  /** The path forms, for messages and the README: "mrs/<clusterId>/<jobExecutionId>". */
  forms: string[];
  /** The inputs the path names; no argument after `?` may set them. */
  pathFields: string[];
  /**
   * The inputs a path (the id after `<kind>/`, without `@<epoch ms>` or `?…`) names, or what is
   * wrong with it; `created`: the id had the `@<epoch ms>` that create puts at the end. Pure.
   */
  parse(path: string, created: boolean): Record<string, unknown> | string;
  /**
   * Reads the live target, sends nothing else: the record of a termination that is over. Throws
   * when there is none to record: the target is still running (nothing terminated it), or not there.
   */
  observe(inputs: Inputs, settings: Settings, session: Session): Promise<ObservedResult<Details>>;
}

/**
 * `Details` defaults to `any` as the SDK's `ResourceProvider<Inputs = any, Outputs = any>` does, for
 * code that holds a target without knowing which; each target states its own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Target<Inputs, Settings, Details = any> {
  /** Resource type name, for messages: "MrsJobTermination". */
  typeName: string;
  fields: FieldTable;
  /** The output table: what the target records beside its inputs and the record (`Details`). */
  outputs: OutputTable;
  /** Failures that need more than one field, or settings (config/environment) that are missing. */
  checkSettings(news: Inputs, context: SettingsContext): CheckFailure[];
  resolveSettings(inputs: Inputs, context: SettingsContext): Settings;
  /** "MRS job j1 in cluster c1", for messages and the resource id. */
  describe(inputs: Inputs): string;
  idPrefix(inputs: Inputs): string;
  /** Reads what it must and sends the termination request once. */
  terminate(inputs: Inputs, settings: Settings, session: Session): Promise<StartResult<Details>>;
  /**
   * Optional. On a record left incomplete (`outcome: "requested"`), `update` calls this before
   * waiting: it sends again, once, what create recorded as not gone through, and nothing else.
   */
  resume?(
    record: Recorded<Inputs, Details>,
    settings: Settings,
    session: Session,
  ): Promise<ResumeResult<Details>>;
  /** One read-only look at the target; `record` is the inputs with what create recorded. */
  poll(record: Inputs & Details, settings: Settings, session: Session): Promise<PollResult<Details>>;
  /** One read-only look for the preview: what will be terminated. */
  preflight(inputs: Inputs, settings: Settings, session: Session): Promise<PreflightResult>;
  /**
   * Whether an error from `poll` says the target no longer exists (deleted after the termination):
   * `read` then keeps the record and marks it `targetGone: true`, and a wait ends there, the target
   * `terminated` and marked `targetGone: true`. Only "does not exist" codes; any other error fails.
   */
  isGone(error: unknown): boolean;
  /**
   * Whether an error says the API refused the credentials: a wrong secret or token, an expired
   * token, a signature or a clock refused, a user not allowed. A preview fails on it with its advice
   * (`up` would fail the same way); any other failure of the preview's read (network, 5xx, timeout)
   * is a warning, and the preview goes on.
   */
  isCredentialsRefused(error: unknown): boolean;
  /** `pulumi import` of a termination by its id: a `read` without state. */
  importing: ImportSupport<Inputs, Settings, Details>;
}
