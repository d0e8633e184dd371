/**
 * Deterministic fault injection. Injected faults are queued per route and consumed in order;
 * random faults come from a seeded PRNG, so a soak that fails can be replayed exactly.
 */
import { isPlainObject } from "./http";
import { ROUTE_NAMES, isRouteName, type RouteName } from "./routes";

export const FAULT_STATUSES = [500, 502, 503, 504, 429] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export type Fault =
  /** Answer with this status in the style of the route's gateway; no effect on state. */
  | { kind: "status"; status: FaultStatus; retryAfterSeconds?: number }
  /** Hold the request `ms` (Infinity = forever), then handle it normally: a slow server, not a lost request. */
  | { kind: "hang"; ms: number }
  /** Destroy the socket without answering; no effect on state. */
  | { kind: "reset" }
  /** Apply the request, then destroy the socket: the client never learns it worked. */
  | { kind: "reset-after-apply" }
  /**
   * A custom answer (e.g. a business error), with no effect on state; with `afterApply`, the request
   * is applied first (a gateway's 500 after the service did the work).
   */
  | { kind: "reply"; status: number; body: unknown; headers?: Record<string, string>; afterApply?: boolean };

export type FaultKind = Fault["kind"];

export interface FaultSpec {
  route: RouteName;
  /** How many requests it answers; default 1, -1 = until cleared. */
  times?: number;
  /**
   * Armed only once a request of this route has arrived after the fault was injected, e.g.
   * `{route: "mrs.get_job", after: "mrs.kill"}` hangs the status reads after the kill, not the read before it.
   */
  after?: RouteName;
  fault: Fault;
}

/** A "reply" needs a body to be meaningful, so it is not drawn at random. */
export type RandomFaultKind = Exclude<FaultKind, "reply">;

export interface RandomFaultSpec {
  /** Chance in [0, 1] that a request of a chosen route meets a fault. */
  probability: number;
  /** PRNG seed: the same seed and the same request sequence give the same faults. */
  seed: number;
  /** Default: every route. */
  routes?: RouteName[];
  /** Default: status, reset and reset-after-apply. */
  kinds?: RandomFaultKind[];
  /** For drawn "hang" faults; default 200. */
  hangMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const RANDOM_KINDS_DEFAULT: RandomFaultKind[] = ["status", "reset", "reset-after-apply"];
const RANDOM_KINDS: readonly RandomFaultKind[] = ["status", "hang", "reset", "reset-after-apply"];

interface QueuedFault {
  fault: Fault;
  /** Remaining uses; -1 = unlimited. */
  remaining: number;
  /** The route whose request arms it; undefined once armed. */
  after?: RouteName;
}

interface RandomFaults {
  probability: number;
  routes: Set<RouteName>;
  kinds: RandomFaultKind[];
  hangMs: number;
  next: () => number;
}

export class FaultPlan {
  private queues = new Map<RouteName, QueuedFault[]>();
  private random: RandomFaults | undefined;

  inject(spec: FaultSpec): void {
    const { route, times, fault, after } = validateFaultSpec(spec);
    const queue = this.queues.get(route) ?? [];
    queue.push({ fault, remaining: times, after });
    this.queues.set(route, queue);
  }

  clear(): void {
    this.queues.clear();
  }

  setRandom(spec: RandomFaultSpec | undefined): void {
    if (spec === undefined) {
      this.random = undefined;
      return;
    }
    const valid = validateRandomFaultSpec(spec);
    this.random = {
      probability: valid.probability,
      routes: new Set(valid.routes ?? ROUTE_NAMES),
      kinds: valid.kinds ?? RANDOM_KINDS_DEFAULT,
      hangMs: valid.hangMs ?? 200,
      next: mulberry32(valid.seed),
    };
  }

  /** The fault that answers the next request of this route, if any. Injected faults go first. */
  take(route: RouteName): Fault | undefined {
    const fault = this.takeInjected(route) ?? this.drawRandom(route);
    // This request arms the faults waiting for its route, for the requests that follow it.
    for (const queue of this.queues.values())
      for (const queued of queue) if (queued.after === route) queued.after = undefined;
    return fault;
  }

  private takeInjected(route: RouteName): Fault | undefined {
    const queue = this.queues.get(route);
    // The first armed fault answers; faults not armed yet wait without blocking those behind them.
    const index = queue?.findIndex((queued) => queued.after === undefined) ?? -1;
    if (queue === undefined || index < 0) return undefined;
    const head = queue[index];
    if (head.remaining > 0 && --head.remaining === 0) queue.splice(index, 1);
    return head.fault;
  }

  private drawRandom(route: RouteName): Fault | undefined {
    const random = this.random;
    if (random === undefined || !random.routes.has(route)) return undefined;
    if (random.next() >= random.probability) return undefined;
    const kind = random.kinds[Math.floor(random.next() * random.kinds.length)];
    switch (kind) {
      case "status":
        return { kind, status: FAULT_STATUSES[Math.floor(random.next() * FAULT_STATUSES.length)] };
      case "hang":
        return { kind, ms: random.hangMs };
      default:
        return { kind };
    }
  }
}

/** How a fault is noted in the request log. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case "status":
      return `${fault.kind}:${fault.status}`;
    case "reply":
      return `${fault.afterApply ? "reply-after-apply" : "reply"}:${fault.status}`;
    case "hang":
      return fault.ms === Infinity ? "hang:Infinity" : `hang:${fault.ms}ms`;
    default:
      return fault.kind;
  }
}

/** A small, fast, seedable PRNG (mulberry32): uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- Validation: specs also arrive as JSON through the admin API ----

export class FaultSpecError extends Error {
  override name = "FaultSpecError";
}

function invalid(path: string, problem: string): never {
  throw new FaultSpecError(`${path} ${problem}`);
}

export function validateFaultSpec(
  value: unknown,
): Required<Omit<FaultSpec, "after">> & Pick<FaultSpec, "after"> {
  if (!isPlainObject(value)) invalid("fault spec", "must be an object");
  if (!isRouteName(value.route)) invalid("route", `must be one of ${ROUTE_NAMES.join(", ")}`);
  if (value.after !== undefined && !isRouteName(value.after))
    invalid("after", `must be one of ${ROUTE_NAMES.join(", ")}`);
  const times = value.times ?? 1;
  if (typeof times !== "number" || !Number.isInteger(times) || (times < 1 && times !== -1)) {
    invalid("times", "must be a positive integer or -1 (until cleared)");
  }
  return { route: value.route, times, fault: validateFault(value.fault), after: value.after };
}

function validateFault(value: unknown): Fault {
  if (!isPlainObject(value)) invalid("fault", "must be an object");
  switch (value.kind) {
    case "status": {
      if (!(FAULT_STATUSES as readonly unknown[]).includes(value.status)) {
        invalid("fault.status", `must be one of ${FAULT_STATUSES.join(", ")}`);
      }
      const retryAfter = value.retryAfterSeconds;
      if (
        retryAfter !== undefined &&
        (typeof retryAfter !== "number" || !Number.isInteger(retryAfter) || retryAfter < 0)
      ) {
        invalid("fault.retryAfterSeconds", "must be a non-negative integer");
      }
      return { kind: "status", status: value.status as FaultStatus, retryAfterSeconds: retryAfter };
    }
    case "hang": {
      // JSON has no Infinity: the admin API takes the string "Infinity".
      const ms = value.ms === "Infinity" ? Infinity : value.ms;
      // Past the largest timer delay node would fire at once: anything longer must say Infinity.
      if (typeof ms !== "number" || !(ms >= 0) || (ms > MAX_TIMER_MS && ms !== Infinity)) {
        invalid("fault.ms", `must be a number from 0 to ${MAX_TIMER_MS} or "Infinity"`);
      }
      return { kind: "hang", ms };
    }
    case "reset":
    case "reset-after-apply":
      return { kind: value.kind };
    case "reply": {
      const { status, headers } = value;
      if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599) {
        invalid("fault.status", "must be an HTTP status from 200 to 599");
      }
      if (
        headers !== undefined &&
        !(isPlainObject(headers) && Object.values(headers).every((h) => typeof h === "string"))
      ) {
        invalid("fault.headers", "must map header names to strings");
      }
      if (value.afterApply !== undefined && typeof value.afterApply !== "boolean") {
        invalid("fault.afterApply", "must be true or false");
      }
      return {
        kind: "reply",
        status,
        body: value.body,
        headers: headers as Record<string, string> | undefined,
        ...(value.afterApply === true && { afterApply: true }),
      };
    }
    default:
      return invalid("fault.kind", "must be one of status, hang, reset, reset-after-apply, reply");
  }
}

function validateRandomFaultSpec(value: unknown): RandomFaultSpec {
  if (!isPlainObject(value)) invalid("random fault spec", "must be an object");
  const { probability, seed, routes, kinds, hangMs } = value;
  if (typeof probability !== "number" || !(probability >= 0 && probability <= 1)) {
    invalid("probability", "must be a number from 0 to 1");
  }
  if (typeof seed !== "number" || !Number.isInteger(seed)) invalid("seed", "must be an integer");
  if (routes !== undefined && !(Array.isArray(routes) && routes.every(isRouteName))) {
    invalid("routes", `must be an array of ${ROUTE_NAMES.join(", ")}`);
  }
  const isKind = (kind: unknown) => (RANDOM_KINDS as readonly unknown[]).includes(kind);
  if (kinds !== undefined && !(Array.isArray(kinds) && kinds.length > 0 && kinds.every(isKind))) {
    invalid("kinds", `must be a non-empty array of ${RANDOM_KINDS.join(", ")}`);
  }
  if (hangMs !== undefined && (typeof hangMs !== "number" || !(hangMs >= 0))) {
    invalid("hangMs", "must be a non-negative number");
  }
  return {
    probability,
    seed,
    routes: routes as RouteName[] | undefined,
    kinds: kinds as RandomFaultKind[] | undefined,
    hangMs: hangMs as number | undefined,
  };
}
