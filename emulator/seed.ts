/**
 * The seed (JSON the tests, the CLI and the admin API hand in) and the runtime state built from it.
 * A seed is validated strictly: a typo in a seed must fail loudly, not make a test pass by luck.
 */
import { readYarnSeed, type SeedYarn, type YarnWorld } from "./yarn";
import type { AkSkCredentials } from "../provider/signing/sdkHmacSha256";
import { isPlainObject } from "./http";

export const NODEMAN_STATUSES = [
  "PENDING",
  "RUNNING",
  "SUCCESS",
  "FAILED",
  "PART_FAILED",
  "TERMINATED",
  "REMOVED",
  "FILTERED",
  "IGNORED",
] as const;
export type NodemanStatus = (typeof NODEMAN_STATUSES)[number];
/** The statuses revoke without a list acts on, and the only ones with a `running_task`. */
export const NODEMAN_ACTIVE = new Set<NodemanStatus>(["PENDING", "RUNNING"]);
/** What a step can read: bk-nodeman task_tools.py collect_status() yields only these. */
export const NODEMAN_STEP_STATUSES = ["PENDING", "RUNNING", "SUCCESS", "FAILED"] as const;
export type NodemanStepStatus = (typeof NODEMAN_STEP_STATUSES)[number];
/** A tenant id as bk-user accepts one (bkuser/apps/tenant/constants.py TENANT_ID_REGEX). */
export const TENANT_ID_PATTERN = /^(?!.*--)[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

export const MRS_JOB_STATES = [
  "NEW",
  "NEW_SAVING",
  "SUBMITTED",
  "ACCEPTED",
  "RUNNING",
  "FINISHED",
  "FAILED",
  "KILLED",
] as const;
export type MrsJobState = (typeof MRS_JOB_STATES)[number];
export const MRS_FINAL_STATES = new Set<MrsJobState>(["FINISHED", "FAILED", "KILLED"]);
export const MRS_JOB_RESULTS = ["UNDEFINED", "SUCCEEDED", "FAILED", "KILLED"] as const;
export type MrsJobResult = (typeof MRS_JOB_RESULTS)[number];
/** A submitted job's name (huaweicloud-sdk-go-v3 services/mrs/v2/model/model_job_execution.go job_name). */
export const MRS_JOB_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** How the Huawei gateway spells its codes: `APIGW.0301` (observed answers) or `APIG.0301` (current docs). */
export const HUAWEI_GATEWAY_SPELLINGS = ["APIGW", "APIG"] as const;
/** Error bodies flat (`error_code`, `error_msg`) or nested (`error: {code, message}`, as Huawei's SDKs also read). */
export const HUAWEI_ERROR_BODIES = ["flat", "nested"] as const;
/** What a killed job reads as job_state (its job_result reads KILLED either way). */
export const MRS_KILLED_STATES = ["KILLED", "FINISHED"] as const;

/** Project, cluster and job ids: also what a path segment must look like to reach a resource. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const INSTANCE_ID_PATTERN =
  /^(host|service)\|(topo|instance|service_template|set_template)\|[a-z0-9_]+\|[^|]+$/;

// ---- Seed: the JSON shape ----

export interface BlueKingApp {
  appCode: string;
  appSecret: string;
  /** Multi-tenant mode: the app's tenant; absent = a global app, which must send X-Bk-Tenant-Id. */
  tenantId?: string;
  /** False: the app is not granted NodeMan's gateway resources or ESB components; default true. */
  permitted?: boolean;
  /** The ESB takes bk_username alone from this app (its "skip user auth" list); default false. */
  userAuthExempt?: boolean;
}
export interface BlueKingUser {
  username: string;
  bkToken?: string;
  accessToken?: string;
  /** Multi-tenant mode: the user's tenant; default "default". */
  tenantId?: string;
}
export interface SeedStep {
  id: string;
  type?: string;
  node_name?: string;
  /** Defaults to the instance's status where a step can read it, else PENDING. */
  status?: NodemanStepStatus;
}
export interface SeedInstance {
  /** `{object_type}|{node_type}|{type}|{id}`, e.g. `host|instance|host|1`. */
  instanceId: string;
  /** The record's status; what task_result shows is computed from the steps. */
  status: NodemanStatus;
  steps?: SeedStep[];
}
/** One task of a subscription and the records it made. */
export interface SeedTask {
  taskId: number;
  instances: SeedInstance[];
  /** Default `pipeline-{taskId}`; "" = an old task or an agent install, which revoke force-fails instead. */
  pipelineId?: string;
  isAutoTrigger?: boolean;
  /** The next n task_result / check_task_ready calls that look at this task answer "not ready" (3800015 / false). */
  taskNotReadyFor?: number;
  /** The task failed to be created: never ready, and task_result / check_task_ready answer 3800014. */
  createError?: string;
}
/** One task (`instances` and the fields of SeedTask beside it), or several (`tasks`, oldest first). */
export interface SeedSubscription extends Partial<Omit<SeedTask, "instances">> {
  subscriptionId: number;
  /** One task's records; taskId defaults to subscriptionId * 100. Empty = a subscription that has no task. */
  instances?: SeedInstance[];
  /** Its tasks, oldest first: a record of a later task replaces the instance's earlier ones (is_latest). */
  tasks?: SeedTask[];
}
export interface SeedJob {
  job_id: string;
  job_state: MrsJobState;
  job_name?: string;
  job_result?: MrsJobResult;
  user?: string;
  queue?: string;
  job_type?: string;
  job_progress?: number;
  arguments?: string;
  launcher_id?: string;
  properties?: string;
  app_id?: string;
  tracking_url?: string;
  /** Epoch milliseconds; 0 = not yet. */
  submitted_time?: number;
  started_time?: number;
  finished_time?: number;
}
export interface SeedCluster {
  jobs: SeedJob[];
  /** This many extra FINISHED jobs (`history-00001`…), older than every seeded job: a long history, cheaply. */
  finishedHistory?: number;
}
export interface SeedProject {
  clusters: Record<string, SeedCluster>;
}
export interface SeedState {
  blueking?: {
    apps?: BlueKingApp[];
    users?: BlueKingUser[];
    /** API gateway stages that exist; default ["prod"]. */
    stages?: string[];
    subscriptions?: SeedSubscription[];
    /**
     * A multi-tenant gateway: only the `system/` resources, and bk-tenant-validate's checks (a global
     * app must send X-Bk-Tenant-Id). Default false.
     */
    multiTenant?: boolean;
    /** The bk-status-rewrite plugin: the gateway answers its own errors with HTTP 200. Default false. */
    statusRewrite200?: boolean;
  };
  huawei?: {
    akSk?: AkSkCredentials[];
    tokens?: string[];
    /** Tokens the gateway knows but refuses with APIGW.0307 (must be renewed). */
    expiredTokens?: string[];
    projects?: Record<string, SeedProject>;
    /** The gateway's code spelling; default "APIGW". */
    gatewayCodes?: (typeof HUAWEI_GATEWAY_SPELLINGS)[number];
    /** The shape of MRS and gateway error bodies; default "flat". */
    errorBodies?: (typeof HUAWEI_ERROR_BODIES)[number];
    /** job_state of a job once its kill took effect; default "KILLED" ("FINISHED" is hazard H5). */
    killedJobState?: (typeof MRS_KILLED_STATES)[number];
  };
  /** How long a revoked instance's steps keep reading RUNNING; default 0. */
  nodemanStepDelayMs?: number;
  /**
   * The most items task_result answers per page; even pagesize -1 (all) is then answered one
   * page at a time as `{total, list}`, the way a service with a page cap would. Default: no cap.
   */
  nodemanPageLimit?: number;
  /** How long after an accepted kill the job turns KILLED; default 0. */
  mrsKillDelayMs?: number;
  /** The MRS list answers without `total_record` (the field is not promised on every page); default false. */
  mrsListOmitsTotalRecord?: boolean;
  /** A YARN ResourceManager: its applications, HA state and odd behaviours (emulator/yarn.ts). */
  yarn?: SeedYarn;
}

/** The credentials a seed gets when it names none. Documented in index.ts. */
export const DEMO_CREDENTIALS: {
  blueking: { apps: BlueKingApp[]; users: BlueKingUser[] };
  huawei: { akSk: AkSkCredentials[]; tokens: string[]; expiredTokens: string[] };
} = {
  blueking: {
    apps: [{ appCode: "demo-app", appSecret: "demo-app-secret" }],
    users: [{ username: "admin", bkToken: "demo-bk-token", accessToken: "demo-access-token" }],
  },
  huawei: {
    akSk: [{ accessKey: "DEMOACCESSKEY0000001", secretKey: "demo-secret-key" }],
    tokens: ["demo-iam-token"],
    expiredTokens: ["demo-expired-iam-token"],
  },
};

// ---- Runtime state ----

export interface Step {
  id: string;
  type: string;
  node_name: string;
  /** As seeded; what a client reads is computed in nodeman.ts (a revoke keeps it RUNNING for a while). */
  status: NodemanStepStatus;
}
/** A SubscriptionInstanceRecord: one instance in one task. */
export interface Instance {
  instanceId: string;
  recordId: number;
  taskId: number;
  /** The record status: a revoke flips it to FAILED at once. */
  status: NodemanStatus;
  steps: Step[];
  createdAt: number;
  startedAt: number;
  finishedAt: number | null;
  /** Set by the first revoke that marks it: its running steps read FAILED from then on. */
  stepsStopAt?: number;
}
export interface Task {
  taskId: number;
  pipelineId: string;
  isAutoTrigger: boolean;
  notReadyFor: number;
  createError?: string;
}
export interface Subscription {
  subscriptionId: number;
  /** Oldest first, as created. */
  tasks: Task[];
  /** Every record of every task, by ascending recordId. */
  records: Instance[];
}
export interface Job {
  job_id: string;
  job_name: string;
  user: string;
  queue: string;
  job_type: string;
  job_state: MrsJobState;
  job_result: MrsJobResult;
  job_progress: number;
  arguments: string;
  launcher_id: string;
  properties: string;
  app_id: string;
  tracking_url: string;
  submitted_time: number;
  started_time: number;
  finished_time: number;
  /** Set by the effective kill: from then on the job reads KILLED. */
  killTakesEffectAt?: number;
}
export interface EmulatorState {
  blueking: {
    apps: BlueKingApp[];
    users: BlueKingUser[];
    stages: Set<string>;
    multiTenant: boolean;
    statusRewrite200: boolean;
  };
  huawei: { akSk: AkSkCredentials[]; tokens: Set<string>; expiredTokens: Set<string> };
  subscriptions: Map<number, Subscription>;
  /** projectId → clusterId → cluster. */
  projects: Map<string, Map<string, Cluster>>;
  nodemanStepDelayMs: number;
  nodemanPageLimit?: number;
  mrsKillDelayMs: number;
  mrsListOmitsTotalRecord: boolean;
  mrsModes: MrsModes;
  yarn: YarnWorld;
}
export interface MrsModes {
  gatewayCodes: (typeof HUAWEI_GATEWAY_SPELLINGS)[number];
  errorBodies: (typeof HUAWEI_ERROR_BODIES)[number];
  killedJobState: (typeof MRS_KILLED_STATES)[number];
}
export interface Cluster {
  jobs: Job[];
}

export class SeedError extends Error {
  override name = "SeedError";
}

/** Validates a seed (typed callers and raw JSON alike) and builds a fresh state from it. */
export function loadSeed(seed: unknown, now: Date): EmulatorState {
  const root = objectAt(seed ?? {}, "seed");
  const blueking = objectAt(root.blueking ?? {}, "seed.blueking");
  const huawei = objectAt(root.huawei ?? {}, "seed.huawei");
  const nowMs = now.getTime();
  return {
    blueking: {
      apps: listAt(blueking.apps, "seed.blueking.apps", readApp) ?? DEMO_CREDENTIALS.blueking.apps,
      users: listAt(blueking.users, "seed.blueking.users", readUser) ?? DEMO_CREDENTIALS.blueking.users,
      stages: new Set(listAt(blueking.stages, "seed.blueking.stages", readStage) ?? ["prod"]),
      multiTenant: optional(blueking.multiTenant, "seed.blueking.multiTenant", booleanAt) ?? false,
      statusRewrite200:
        optional(blueking.statusRewrite200, "seed.blueking.statusRewrite200", booleanAt) ?? false,
    },
    huawei: {
      akSk: listAt(huawei.akSk, "seed.huawei.akSk", readAkSk) ?? DEMO_CREDENTIALS.huawei.akSk,
      tokens: new Set(
        listAt(huawei.tokens, "seed.huawei.tokens", stringAt) ?? DEMO_CREDENTIALS.huawei.tokens,
      ),
      expiredTokens: new Set(
        listAt(huawei.expiredTokens, "seed.huawei.expiredTokens", stringAt) ??
          DEMO_CREDENTIALS.huawei.expiredTokens,
      ),
    },
    subscriptions: readSubscriptions(blueking.subscriptions, nowMs),
    projects: readProjects(huawei.projects, nowMs),
    nodemanStepDelayMs: delayAt(root.nodemanStepDelayMs, "seed.nodemanStepDelayMs"),
    nodemanPageLimit: optional(root.nodemanPageLimit, "seed.nodemanPageLimit", (v, p) => integerAt(v, p, 1)),
    mrsKillDelayMs: delayAt(root.mrsKillDelayMs, "seed.mrsKillDelayMs"),
    mrsListOmitsTotalRecord:
      optional(root.mrsListOmitsTotalRecord, "seed.mrsListOmitsTotalRecord", booleanAt) ?? false,
    mrsModes: {
      gatewayCodes:
        optional(huawei.gatewayCodes, "seed.huawei.gatewayCodes", (v, p) =>
          oneOf(v, HUAWEI_GATEWAY_SPELLINGS, p),
        ) ?? "APIGW",
      errorBodies:
        optional(huawei.errorBodies, "seed.huawei.errorBodies", (v, p) => oneOf(v, HUAWEI_ERROR_BODIES, p)) ??
        "flat",
      killedJobState:
        optional(huawei.killedJobState, "seed.huawei.killedJobState", (v, p) =>
          oneOf(v, MRS_KILLED_STATES, p),
        ) ?? "KILLED",
    },
    yarn: yarnSeed(root.yarn, nowMs),
  };
}

function readApp(value: unknown, path: string): BlueKingApp {
  const app = objectAt(value, path);
  return {
    appCode: stringAt(app.appCode, `${path}.appCode`),
    appSecret: stringAt(app.appSecret, `${path}.appSecret`),
    tenantId: optional(app.tenantId, `${path}.tenantId`, tenantAt),
    permitted: optional(app.permitted, `${path}.permitted`, booleanAt),
    userAuthExempt: optional(app.userAuthExempt, `${path}.userAuthExempt`, booleanAt),
  };
}

function readUser(value: unknown, path: string): BlueKingUser {
  const user = objectAt(value, path);
  return {
    username: stringAt(user.username, `${path}.username`),
    bkToken: optional(user.bkToken, `${path}.bkToken`, stringAt),
    accessToken: optional(user.accessToken, `${path}.accessToken`, stringAt),
    tenantId: optional(user.tenantId, `${path}.tenantId`, tenantAt),
  };
}

function tenantAt(value: unknown, path: string): string {
  const tenant = stringAt(value, path);
  if (!TENANT_ID_PATTERN.test(tenant)) fail(path, "must be a tenant id such as default (bk-user's rule)");
  return tenant;
}

function readStage(value: unknown, path: string): string {
  const stage = stringAt(value, path);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(stage)) fail(path, "must be a stage name such as prod");
  return stage;
}

function readAkSk(value: unknown, path: string): AkSkCredentials {
  const credential = objectAt(value, path);
  return {
    accessKey: stringAt(credential.accessKey, `${path}.accessKey`),
    secretKey: stringAt(credential.secretKey, `${path}.secretKey`),
    securityToken: optional(credential.securityToken, `${path}.securityToken`, stringAt),
  };
}

function readSubscriptions(value: unknown, nowMs: number): Map<number, Subscription> {
  const subscriptions = new Map<number, Subscription>();
  for (const subscription of listAt(value, "seed.blueking.subscriptions", (v, path) =>
    readSubscription(v, path, nowMs),
  ) ?? []) {
    if (subscriptions.has(subscription.subscriptionId)) {
      fail("seed.blueking.subscriptions", `lists subscription ${subscription.subscriptionId} twice`);
    }
    subscriptions.set(subscription.subscriptionId, subscription);
  }
  return subscriptions;
}

function readSubscription(value: unknown, path: string, nowMs: number): Subscription {
  const seed = objectAt(value, path);
  const subscriptionId = integerAt(seed.subscriptionId, `${path}.subscriptionId`, 1);
  const single = ["taskId", "instances", "pipelineId", "isAutoTrigger", "taskNotReadyFor", "createError"];
  let tasks: { task: Task; instances: SeedInstanceRead[] }[];
  if (seed.tasks !== undefined) {
    const mixed = single.find((field) => seed[field] !== undefined);
    if (mixed) fail(`${path}.${mixed}`, "goes inside tasks[] when tasks is given");
    tasks = listAt(seed.tasks, `${path}.tasks`, (v, p) => readTask(v, p, undefined, nowMs)) ?? [];
  } else {
    const instances = listAt(seed.instances, `${path}.instances`, (v, p) => readInstance(v, p, nowMs));
    if (instances === undefined) fail(`${path}.instances`, "or tasks is required");
    // No records: a subscription that has no task.
    tasks = instances.length === 0 ? [] : [readTask(seed, path, subscriptionId * 100, nowMs)];
  }
  if (new Set(tasks.map(({ task }) => task.taskId)).size !== tasks.length)
    fail(`${path}.tasks`, "lists a taskId twice");
  const records: Instance[] = [];
  for (const { task, instances } of tasks) {
    if (new Set(instances.map((i) => i.instanceId)).size !== instances.length)
      fail(`${path}.instances`, `lists an instance id twice in task ${task.taskId}`);
    for (const instance of instances)
      records.push({
        ...instance,
        taskId: task.taskId,
        recordId: subscriptionId * 1000 + records.length + 1,
      });
  }
  return { subscriptionId, tasks: tasks.map(({ task }) => task), records };
}

type SeedInstanceRead = Omit<Instance, "recordId" | "taskId">;

function readTask(
  value: unknown,
  path: string,
  defaultTaskId: number | undefined,
  nowMs: number,
): { task: Task; instances: SeedInstanceRead[] } {
  const seed = objectAt(value, path);
  const taskId =
    defaultTaskId === undefined
      ? integerAt(seed.taskId, `${path}.taskId`, 1)
      : (optional(seed.taskId, `${path}.taskId`, (v, p) => integerAt(v, p, 1)) ?? defaultTaskId);
  const pipelineId = optional(seed.pipelineId, `${path}.pipelineId`, (v, p) => {
    if (typeof v !== "string") fail(p, 'must be a string ("" = a task without pipeline)');
    return v;
  });
  return {
    task: {
      taskId,
      pipelineId: pipelineId ?? `pipeline-${taskId}`,
      isAutoTrigger: optional(seed.isAutoTrigger, `${path}.isAutoTrigger`, booleanAt) ?? false,
      notReadyFor:
        optional(seed.taskNotReadyFor, `${path}.taskNotReadyFor`, (v, p) => integerAt(v, p, 0)) ?? 0,
      createError: optional(seed.createError, `${path}.createError`, stringAt),
    },
    instances: listAt(seed.instances, `${path}.instances`, (v, p) => readInstance(v, p, nowMs)) ?? [],
  };
}

function readInstance(value: unknown, path: string, nowMs: number): SeedInstanceRead {
  const seed = objectAt(value, path);
  const instanceId = stringAt(seed.instanceId, `${path}.instanceId`);
  if (!INSTANCE_ID_PATTERN.test(instanceId)) {
    fail(`${path}.instanceId`, "must read {object_type}|{node_type}|{type}|{id}, e.g. host|instance|host|1");
  }
  const status = oneOf(seed.status, NODEMAN_STATUSES, `${path}.status`);
  // A step reads what its record reads where a step can (PENDING, RUNNING, SUCCESS, FAILED), else PENDING.
  const stepDefault = (NODEMAN_STEP_STATUSES as readonly string[]).includes(status)
    ? (status as NodemanStepStatus)
    : "PENDING";
  const steps = listAt(seed.steps, `${path}.steps`, (v, p) => readStep(v, p, stepDefault)) ?? [
    { id: "agent", type: "AGENT", node_name: "Install agent", status: stepDefault },
  ];
  const startedAt = nowMs - 60_000;
  return {
    instanceId,
    status,
    steps,
    createdAt: startedAt - 1000,
    startedAt,
    finishedAt: NODEMAN_ACTIVE.has(status) ? null : nowMs,
  };
}

function readStep(value: unknown, path: string, instanceStatus: NodemanStepStatus): Step {
  const seed = objectAt(value, path);
  return {
    id: stringAt(seed.id, `${path}.id`),
    type: optional(seed.type, `${path}.type`, stringAt) ?? "AGENT",
    node_name: optional(seed.node_name, `${path}.node_name`, stringAt) ?? "Install agent",
    status:
      optional(seed.status, `${path}.status`, (v, p) => oneOf(v, NODEMAN_STEP_STATUSES, p)) ?? instanceStatus,
  };
}

function readProjects(value: unknown, nowMs: number): Map<string, Map<string, Cluster>> {
  const projects = new Map<string, Map<string, Cluster>>();
  for (const [projectId, projectSeed] of entriesAt(value, "seed.huawei.projects")) {
    const path = `seed.huawei.projects.${projectId}`;
    const clusters = new Map<string, Cluster>();
    for (const [clusterId, clusterSeed] of entriesAt(
      objectAt(projectSeed, path).clusters,
      `${path}.clusters`,
    )) {
      const clusterPath = `${path}.clusters.${clusterId}`;
      const cluster = objectAt(clusterSeed, clusterPath);
      const jobs = listAt(cluster.jobs, `${clusterPath}.jobs`, (v, p) => readJob(v, p, nowMs)) ?? [];
      const history = optional(cluster.finishedHistory, `${clusterPath}.finishedHistory`, (v, p) =>
        integerAt(v, p, 0),
      );
      jobs.push(...finishedHistory(history ?? 0, jobs, nowMs));
      if (new Set(jobs.map((job) => job.job_id)).size !== jobs.length) {
        fail(`${clusterPath}.jobs`, "lists a job_id twice");
      }
      clusters.set(clusterId, { jobs });
    }
    projects.set(projectId, clusters);
  }
  return projects;
}

function readJob(value: unknown, path: string, nowMs: number): Job {
  const seed = objectAt(value, path);
  const jobId = resourceIdAt(seed.job_id, `${path}.job_id`);
  const state = oneOf(seed.job_state, MRS_JOB_STATES, `${path}.job_state`);
  const final = MRS_FINAL_STATES.has(state);
  const result = optional(seed.job_result, `${path}.job_result`, (v, p) => oneOf(v, MRS_JOB_RESULTS, p));
  if (result !== undefined && final === (result === "UNDEFINED")) {
    fail(`${path}.job_result`, `${result} does not go with job_state ${state}`);
  }
  const text = (field: string, fallback: string) =>
    optional(seed[field], `${path}.${field}`, stringAt) ?? fallback;
  const epoch = (field: string, fallback: number) =>
    optional(seed[field], `${path}.${field}`, (v, p) => integerAt(v, p, 0)) ?? fallback;
  const submitted = epoch("submitted_time", nowMs - 600_000);
  const notStarted = state === "NEW" || state === "NEW_SAVING" || state === "SUBMITTED";
  const jobName = text("job_name", jobId);
  if (!MRS_JOB_NAME_PATTERN.test(jobName)) {
    fail(`${path}.job_name`, "must be an MRS job name: letters, digits, - and _, 1 to 64 characters");
  }
  return {
    job_id: jobId,
    job_name: jobName,
    user: text("user", "admin"),
    queue: text("queue", "default"),
    job_type: text("job_type", "SparkSubmit"),
    job_state: state,
    job_result: result ?? defaultJobResult(state),
    job_progress:
      optional(seed.job_progress, `${path}.job_progress`, (v, p) => integerAt(v, p, 0)) ?? (final ? 100 : 0),
    arguments: text("arguments", "[]"),
    launcher_id: text("launcher_id", ""),
    properties: text("properties", "{}"),
    app_id: text("app_id", ""),
    tracking_url: text("tracking_url", ""),
    submitted_time: submitted,
    started_time: epoch("started_time", notStarted ? 0 : submitted + 5000),
    finished_time: epoch("finished_time", final ? nowMs - 60_000 : 0),
  };
}

/** `count` FINISHED jobs, each older than the last and than every seeded job (times stop at 0). */
function finishedHistory(count: number, seeded: Job[], nowMs: number): Job[] {
  const oldest = Math.min(nowMs - 600_000, ...seeded.map((job) => job.submitted_time));
  return Array.from({ length: count }, (_, index) => {
    const id = `history-${String(index + 1).padStart(5, "0")}`;
    const submitted = Math.max(0, oldest - 1 - index);
    return readJob({ job_id: id, job_state: "FINISHED", submitted_time: submitted }, id, nowMs);
  });
}

function defaultJobResult(state: MrsJobState): MrsJobResult {
  if (state === "FINISHED") return "SUCCEEDED";
  if (state === "FAILED" || state === "KILLED") return state;
  return "UNDEFINED";
}

// ---- Small readers: each names the path of what is wrong ----

/** The seed's YARN part, its problems as SeedErrors like the rest of the seed's. */
function yarnSeed(value: unknown, nowMs: number): YarnWorld {
  try {
    return readYarnSeed(value, nowMs);
  } catch (error) {
    throw new SeedError((error as Error).message);
  }
}

function fail(path: string, problem: string): never {
  throw new SeedError(`${path} ${problem}`);
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(path, "must be an object");
  return value;
}

function entriesAt(value: unknown, path: string): [string, unknown][] {
  const entries = Object.entries(objectAt(value ?? {}, path));
  for (const [id] of entries) {
    if (!RESOURCE_ID_PATTERN.test(id)) fail(`${path}.${id}`, "is not a valid id (letters, digits, _ and -)");
  }
  return entries;
}

function listAt<T>(value: unknown, path: string, read: (item: unknown, path: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(path, "must be an array");
  return value.map((item, index) => read(item, `${path}[${index}]`));
}

function optional<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T | undefined {
  return value === undefined ? undefined : read(value, path);
}

function stringAt(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "") fail(path, "must be a non-empty string");
  return value;
}

function resourceIdAt(value: unknown, path: string): string {
  const id = stringAt(value, path);
  if (!RESOURCE_ID_PATTERN.test(id)) fail(path, "is not a valid id (letters, digits, _ and -)");
  return id;
}

function integerAt(value: unknown, path: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    fail(path, `must be an integer >= ${min}`);
  }
  return value;
}

function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") fail(path, "must be true or false");
  return value;
}

function delayAt(value: unknown, path: string): number {
  return optional(value, path, (v, p) => integerAt(v, p, 0)) ?? 0;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (!(allowed as readonly unknown[]).includes(value)) fail(path, `must be one of ${allowed.join(", ")}`);
  return value as T;
}
