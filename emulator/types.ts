/**
 * The emulator's public shapes, apart from the code that serves them, so that index.ts (the entry
 * point), server.ts (the implementation) and admin.ts (its HTTP wrapper) depend on this file and
 * not on one another.
 */
import type { FaultSpec, RandomFaultSpec } from "./faults";
import type { ProjectsSnapshot } from "./mrs";
import type { SubscriptionSnapshot } from "./nodeman";
import type { RecordedRequest, RequestFilter } from "./requestLog";
import type { RouteName } from "./routes";
import type { SeedState } from "./seed";
import type { yarnSnapshot } from "./yarn";

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port, read it back from `Emulator.port`. */
  port?: number;
  /** Default: no subscriptions or jobs, the demo credentials. */
  seed?: SeedState;
  /** Beyond this many API requests per second, answer 429 with Retry-After: 1. */
  rateLimitPerSecond?: number;
  /** Print one line per API request to stdout. */
  verbose?: boolean;
}

export interface StateSnapshot {
  nodeman: { subscriptions: SubscriptionSnapshot[] };
  mrs: { projects: ProjectsSnapshot };
  yarn: ReturnType<typeof yarnSnapshot>;
}

export interface Emulator {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
  /** Replaces the state (subscriptions, jobs, credentials, delays); the log and faults stay. */
  seed(state: SeedState): void;
  /** Back to the last seed, with an empty log, no faults, zero effective counts and the real clock. */
  reset(): void;
  /** The recorded API requests (admin calls excluded), secrets masked, oldest first; the last 50,000 are kept. */
  requests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): void;
  /** How many requests of this route (or of all) changed state: an accepted revoke or kill. */
  effectiveCount(route?: RouteName): number;
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  setRandomFaults(spec: RandomFaultSpec | undefined): void;
  /** A JSON snapshot of subscriptions and jobs as a client would read them now. */
  state(): StateSnapshot;
  /** The emulator's clock: X-Sdk-Date skew, delays and timestamps follow it. */
  setClock(clock: () => Date): void;
}
