/**
 * A local emulator of the two APIs this package terminates jobs through: BlueKing NodeMan
 * (subscription revoke and status, via the ESB and the API gateway) and Huawei Cloud MRS v2 (job
 * kill, get, list, with real token and SDK-HMAC-SHA256 checks). Importable by tests, runnable as
 * a CLI (emulator/cli.ts), inspectable over HTTP under /_emulator/ (emulator/admin.ts).
 *
 * Demo credentials, used when a seed names none (emulator/seeds/demo.json repeats them):
 * - BlueKing app  bk_app_code "demo-app", bk_app_secret "demo-app-secret"
 * - BlueKing user bk_username "admin", bk_token "demo-bk-token", access_token "demo-access-token"
 * - Huawei AK/SK  access key "DEMOACCESSKEY0000001", secret key "demo-secret-key"
 * - Huawei IAM    X-Auth-Token "demo-iam-token" (valid), "demo-expired-iam-token" (APIGW.0307)
 */
import type { FaultSpec, RandomFaultSpec } from "./faults";
import type { ProjectsSnapshot } from "./mrs";
import type { SubscriptionSnapshot } from "./nodeman";
import type { RecordedRequest, RequestFilter } from "./requestLog";
import type { RouteName } from "./routes";
import type { SeedState } from "./seed";
import { EmulatorServer } from "./server";

export { DEMO_CREDENTIALS } from "./seed";
export { PortInUseError } from "./server";
export { ROUTE_NAMES } from "./routes";
export type { Api, RouteName, Transport } from "./routes";
export type { Fault, FaultKind, FaultSpec, RandomFaultKind, RandomFaultSpec } from "./faults";
export type { RecordedRequest, RequestFilter } from "./requestLog";
export type { JobDetail, ProjectsSnapshot } from "./mrs";
export type { SubscriptionSnapshot } from "./nodeman";
export type {
  BlueKingApp,
  BlueKingUser,
  MrsJobResult,
  MrsJobState,
  NodemanStatus,
  SeedCluster,
  SeedInstance,
  SeedJob,
  SeedProject,
  SeedState,
  SeedStep,
  SeedSubscription,
} from "./seed";

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

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new EmulatorServer(options);
  await emulator.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  return emulator;
}
