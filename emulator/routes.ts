/** The vocabulary shared by the emulator's modules: which API, which route, which way in. */
import type { Reply } from "./http";
import type { EmulatorState } from "./seed";

export const ROUTE_NAMES = [
  "nodeman.revoke",
  "nodeman.task_result",
  "nodeman.instance_status",
  "nodeman.check_task_ready",
  "mrs.kill",
  "mrs.get_job",
  "mrs.list_jobs",
  "yarn.cluster_info",
  "yarn.list_apps",
  "yarn.get_app",
  "yarn.app_state",
  "yarn.kill",
] as const;

export type RouteName = (typeof ROUTE_NAMES)[number];
export type Api = "nodeman" | "mrs" | "yarn";
/** NodeMan is reachable through the ESB (credentials in the body) or the API gateway (in a header). */
export type Transport = "esb" | "apigw";

/** What a request was recognised as. `route: "unknown"` still names the API whose style answers the 404. */
export interface Resolution {
  api: Api | "unknown";
  route: RouteName | "unknown";
  transport?: Transport;
  /** Raw (still percent-encoded) path parameters. */
  params: Record<string, string>;
}

export function isRouteName(value: unknown): value is RouteName {
  return typeof value === "string" && (ROUTE_NAMES as readonly string[]).includes(value);
}

/** What an API handler needs besides the request. */
export interface HandlerContext {
  state: EmulatorState;
  now: Date;
  /** Also sent in the X-Request-Id / X-Bkapi-Request-Id header. */
  requestId: string;
}

export interface Outcome {
  reply: Reply;
  /** The request changed state the way its route promises (counted by effectiveCount). */
  effective: boolean;
}

/** Refusals and reads change nothing. */
export function noEffect(reply: Reply): Outcome {
  return { reply, effective: false };
}
