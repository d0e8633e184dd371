/**
 * Helpers for the emulator's own tests: the shared seed (testing/seed.ts), raw HTTP (node:http, so
 * that paths reach the server byte for byte, un-normalised), and signed / authenticated calls.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { Emulator } from "../../emulator";
import { signRequest, type AkSkCredentials } from "../../provider/signing/sdkHmacSha256";
import { accessKey, appCode, clusterId, projectId, secrets, username } from "../../testing/seed";

export {
  accessKey,
  allSecretValues,
  appCode,
  baseSeed,
  clusterId,
  projectId,
  secrets,
  temporaryAkSk,
  username,
} from "../../testing/seed";

export const akSk: AkSkCredentials = { accessKey, secretKey: secrets.secretKey };
export const jobsPath = `/v2/${projectId}/clusters/${clusterId}/job-executions`;

// ---- Raw HTTP ----

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, typed by the caller. */
  json<T = Record<string, unknown>>(): T;
}

export interface RawRequest {
  method: string;
  /** Path plus optional `?query`, sent exactly as given. */
  target: string;
  headers?: Record<string, string>;
  body?: string;
  /** Abort with an error after this long. */
  timeoutMs?: number;
}

export function rawRequest(emulator: Emulator, request: RawRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: emulator.port,
        method: request.method,
        path: request.target,
        headers: request.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    if (request.timeoutMs !== undefined) {
      req.setTimeout(request.timeoutMs, () => req.destroy(new Error("client timeout")));
    }
    req.on("error", reject);
    req.end(request.body);
  });
}

/** The error a request ended with (it must end with one). */
export async function requestError(emulator: Emulator, request: RawRequest): Promise<Error> {
  try {
    const result = await rawRequest(emulator, request);
    throw new Error(`expected a socket error, got HTTP ${result.status}`);
  } catch (error) {
    return error as Error;
  }
}

// ---- Huawei MRS ----

export interface MrsCall {
  method: "GET" | "POST";
  path: string;
  query?: string;
  body?: string;
  credentials?: AkSkCredentials;
  /** The signing time; default now. */
  now?: Date;
  /** Headers signed along with host and content-type. */
  headers?: Record<string, string>;
}

/** Signs the call with our signer; `host` is signed as node:http will send it. */
export function signMrs(emulator: Emulator, call: MrsCall): Record<string, string> {
  const headers = { host: `127.0.0.1:${emulator.port}`, "content-type": "application/json", ...call.headers };
  return signRequest(
    { method: call.method, path: call.path, query: call.query ?? "", headers, body: call.body ?? "" },
    call.credentials ?? akSk,
    call.now,
  );
}

export function targetOf(path: string, query = ""): string {
  return query === "" ? path : `${path}?${query}`;
}

export function signedMrs(emulator: Emulator, call: MrsCall): Promise<HttpResult> {
  return rawRequest(emulator, {
    method: call.method,
    target: targetOf(call.path, call.query),
    headers: signMrs(emulator, call),
    body: call.body,
  });
}

export function tokenMrs(
  emulator: Emulator,
  method: "GET" | "POST",
  target: string,
  token = secrets.authToken,
) {
  return rawRequest(emulator, { method, target, headers: { "X-Auth-Token": token } });
}

export interface MrsErrorBody {
  error_code?: string;
  error_msg?: string;
  request_id?: string;
  errorCode?: string;
  errorMsg?: string;
}

export interface JobDetailBody {
  job_detail: Record<string, unknown> & {
    job_id: string;
    job_state: string;
    job_result: string;
    finished_time: number;
  };
}

export async function jobState(emulator: Emulator, jobId: string): Promise<JobDetailBody["job_detail"]> {
  const result = await tokenMrs(emulator, "GET", `${jobsPath}/${jobId}`);
  return result.json<JobDetailBody>().job_detail;
}

// ---- BlueKing NodeMan ----

export type NodemanOperation = "revoke" | "task_result" | "instance_status" | "check_task_ready";

export interface Envelope<T = unknown> {
  result: boolean;
  code: number;
  message: string;
  data: T;
}

export const goodCredentials = {
  bk_app_code: appCode,
  bk_app_secret: secrets.appSecret,
  bk_username: username,
  bk_token: secrets.bkToken,
};

export const esbPath = (operation: NodemanOperation) =>
  `/api/c/compapi/v2/nodeman/backend/api/subscription/${operation}/`;
export const gatewayPath = (operation: NodemanOperation, stage = "prod", prefix = "") =>
  `/api/bk-nodeman/${stage}/${prefix}backend/api/subscription/${operation}/`;

/** ESB: the common args travel in the body. */
export function esb(
  emulator: Emulator,
  operation: NodemanOperation,
  params: Record<string, unknown>,
  credentials: Record<string, unknown> = goodCredentials,
): Promise<HttpResult> {
  return rawRequest(emulator, {
    method: "POST",
    target: esbPath(operation),
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...credentials, ...params }),
  });
}

export interface GatewayOptions {
  /** A string is sent as is; null = no header. */
  authorization?: Record<string, unknown> | string | null;
  stage?: string;
  /** "" (default) or "system/". */
  prefix?: string;
  headers?: Record<string, string>;
}

/** API gateway: credentials in X-Bkapi-Authorization. */
export function gateway(
  emulator: Emulator,
  operation: NodemanOperation,
  params: Record<string, unknown>,
  options: GatewayOptions = {},
): Promise<HttpResult> {
  const authorization = options.authorization === undefined ? goodCredentials : options.authorization;
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (authorization !== null) {
    headers["X-Bkapi-Authorization"] =
      typeof authorization === "string" ? authorization : JSON.stringify(authorization);
  }
  return rawRequest(emulator, {
    method: "POST",
    target: gatewayPath(operation, options.stage, options.prefix),
    headers,
    body: JSON.stringify(params),
  });
}

export async function nodemanData<T>(
  emulator: Emulator,
  operation: NodemanOperation,
  params: Record<string, unknown>,
  options: GatewayOptions = {},
) {
  const envelope = (await gateway(emulator, operation, params, options)).json<Envelope<T>>();
  if (!envelope.result) throw new Error(`${operation} failed: ${envelope.message}`);
  return envelope.data;
}

export interface TaskResultStep {
  id: string;
  type: string;
  status: string;
  node_name: string;
  target_hosts: { status: string; sub_steps: { status: string; log: string }[] }[];
  [field: string]: unknown;
}

export interface TaskResultItem {
  instance_id: string;
  task_id: number;
  status: string;
  steps: TaskResultStep[];
  [field: string]: unknown;
}

export async function instanceStatuses(
  emulator: Emulator,
  subscriptionId = 42,
): Promise<Record<string, string>> {
  const items = await nodemanData<TaskResultItem[]>(emulator, "task_result", {
    subscription_id: subscriptionId,
  });
  return Object.fromEntries(items.map((item) => [item.instance_id, item.status]));
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
