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
import { EmulatorServer } from "./server";
import type { Emulator, EmulatorOptions } from "./types";

export { DEMO_CREDENTIALS } from "./seed";
export { PortInUseError } from "./server";
export { ROUTE_NAMES } from "./routes";
export type { Api, RouteName, Transport } from "./routes";
export type { Fault, FaultKind, FaultSpec, RandomFaultKind, RandomFaultSpec } from "./faults";
export type { RecordedRequest, RequestFilter } from "./requestLog";
export type { JobDetail, ProjectsSnapshot } from "./mrs";
export type { SubscriptionSnapshot } from "./nodeman";
export type { Emulator, EmulatorOptions, StateSnapshot } from "./types";
export type {
  BlueKingApp,
  BlueKingUser,
  MrsJobResult,
  MrsJobState,
  NodemanStatus,
  NodemanStepStatus,
  SeedCluster,
  SeedInstance,
  SeedJob,
  SeedProject,
  SeedState,
  SeedStep,
  SeedSubscription,
  SeedTask,
} from "./seed";

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new EmulatorServer(options);
  await emulator.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  return emulator;
}
