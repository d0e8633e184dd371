/**
 * The YARN ResourceManager's REST API as YarnApplicationTermination uses it, for the faults a real
 * RM (testing/yarn.ts) cannot be made to produce: a standby that redirects, a kill whose answer is
 * odd, a kill that meets an application finishing, ten thousand listed applications. Each rule cites
 * Hadoop 3.5.0's source (hadoop-yarn-server-resourcemanager unless named); docs/apis.md §3 has more.
 */
import type { ReceivedRequest, Reply } from "./http";
import { jsonReply } from "./http";
import { noEffect, type HandlerContext, type Outcome, type Resolution, type RouteName } from "./routes";

const FINAL = ["FINISHED", "FAILED", "KILLED"];
const STATES = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", ...FINAL];

export interface SeedYarnApp {
  /** Default: application_<clusterTimestamp>_<000n>, n counting from 1 in seed order. */
  id?: string;
  name?: string;
  user?: string;
  /** A leaf queue name; reported as root.<queue> (CapacityScheduler's full path). Default "default". */
  queue?: string;
  applicationType?: string;
  applicationTags?: string[];
  /** YarnApplicationState; default RUNNING. */
  state?: string;
  finalStatus?: string;
  /** No AM container: a kill is done at once (ClientRMService.forceKillApplication returns true). */
  unmanaged?: boolean;
  /** Its AM unregisters the moment a kill arrives: the kill finds it FINISHED (the race of a kill in flight). */
  finishesOnKill?: boolean;
}

export interface SeedYarn {
  /** The RM's start time, the middle part of its application ids. Default 1700000000000. */
  clusterTimestamp?: number;
  /** ACTIVE (default) or STANDBY: a standby answers everything but /ws/v1/cluster/info with a redirect. */
  haState?: "ACTIVE" | "STANDBY";
  /** The active RM a standby redirects to; without it, a 307 with only a Refresh header (no Location). */
  activeUrl?: string;
  /** Who may kill any application besides its owner (yarn.admin.acl). Default ["yarn"]. */
  admins?: string[];
  applications?: SeedYarnApp[];
  /** How long a kill takes effect after the 202 (KILLING meanwhile); default 0. */
  killDelayMs?: number;
  /** Finished applications added to the list (the RM keeps up to 10,000: max-completed-applications). */
  finishedHistory?: number;
  /** The listing ignores its query's filters (an older RM, or a proxy dropping the query). */
  ignoresListFilters?: boolean;
}

export interface YarnApp {
  id: string;
  name: string;
  user: string;
  queue: string;
  applicationType: string;
  applicationTags: string[];
  state: string;
  finalStatus: string;
  diagnostics: string;
  unmanaged: boolean;
  finishesOnKill: boolean;
  startedTime: number;
  finishedTime: number;
  /** Set by the effective kill: from then on the application reads KILLED. */
  killedAt?: number;
}

export interface YarnWorld {
  clusterTimestamp: number;
  haState: "ACTIVE" | "STANDBY";
  activeUrl?: string;
  admins: string[];
  apps: Map<string, YarnApp>;
  killDelayMs: number;
  ignoresListFilters: boolean;
}

function seedError(path: string, problem: string): never {
  throw new Error(`${path}: ${problem}`);
}

const text = (value: unknown, path: string, fallback: string): string => {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value === "") seedError(path, "must be a non-empty string");
  return value;
};

/** Validates the seed's `yarn` part and builds the RM's state from it. */
export function readYarnSeed(value: unknown, nowMs: number): YarnWorld {
  const seed = (value ?? {}) as SeedYarn;
  if (typeof seed !== "object" || Array.isArray(seed)) seedError("seed.yarn", "must be an object");
  const clusterTimestamp = seed.clusterTimestamp ?? 1_700_000_000_000;
  const apps = new Map<string, YarnApp>();
  (seed.applications ?? []).forEach((app, i) => {
    const path = `seed.yarn.applications[${i}]`;
    const state = text(app.state, `${path}.state`, "RUNNING");
    if (!STATES.includes(state)) seedError(`${path}.state`, `must be one of ${STATES.join(", ")}`);
    const final = FINAL.includes(state);
    const id = text(
      app.id,
      `${path}.id`,
      `application_${clusterTimestamp}_${String(i + 1).padStart(4, "0")}`,
    );
    apps.set(id, {
      id,
      name: text(app.name, `${path}.name`, `app-${i + 1}`),
      user: text(app.user, `${path}.user`, "alice"),
      queue: `root.${text(app.queue, `${path}.queue`, "default")}`,
      applicationType: text(app.applicationType, `${path}.applicationType`, "YARN"),
      // ApplicationSubmissionContextPBImpl.setApplicationTags: lower case (force-lowercase, default true).
      applicationTags: [...new Set((app.applicationTags ?? []).map((tag) => tag.toLowerCase()))].sort(),
      state,
      finalStatus: app.finalStatus ?? (state === "FINISHED" ? "SUCCEEDED" : final ? state : "UNDEFINED"),
      diagnostics: "",
      unmanaged: app.unmanaged ?? false,
      finishesOnKill: app.finishesOnKill ?? false,
      startedTime: nowMs - 60_000,
      finishedTime: final ? nowMs - 1_000 : 0,
    });
  });
  for (let i = 0; i < (seed.finishedHistory ?? 0); i++) {
    const id = `application_${clusterTimestamp}_${String(100_000 + i)}`;
    apps.set(id, {
      id,
      name: `history-${i}`,
      user: "alice",
      queue: "root.default",
      applicationType: "YARN",
      applicationTags: [],
      state: "FINISHED",
      finalStatus: "SUCCEEDED",
      diagnostics: "",
      unmanaged: false,
      finishesOnKill: false,
      startedTime: nowMs - 3_600_000,
      finishedTime: nowMs - 1_800_000,
    });
  }
  return {
    clusterTimestamp,
    haState: seed.haState ?? "ACTIVE",
    activeUrl: seed.activeUrl,
    admins: seed.admins ?? ["yarn"],
    apps,
    killDelayMs: seed.killDelayMs ?? 0,
    ignoresListFilters: seed.ignoresListFilters ?? false,
  };
}

// ---- Routing ----

export function resolveYarn(request: ReceivedRequest): Resolution | undefined {
  if (!request.rawPath.startsWith("/ws/v1/cluster")) return undefined;
  const rest = request.rawPath.slice("/ws/v1/cluster".length);
  const app = /^\/apps\/([^/]+)(\/state)?$/.exec(rest);
  let route: RouteName | "unknown" = "unknown";
  if (rest === "/info" && request.method === "GET") route = "yarn.cluster_info";
  else if (rest === "/apps" && request.method === "GET") route = "yarn.list_apps";
  else if (app && !app[2] && request.method === "GET") route = "yarn.get_app";
  else if (app && app[2] && request.method === "GET") route = "yarn.app_state";
  else if (app && app[2] && request.method === "PUT") route = "yarn.kill";
  return { api: "yarn", route, params: app ? { appId: decodeURIComponent(app[1]) } : {} };
}

// ---- Handling ----

/** GenericExceptionHandler's answer: `{"RemoteException": {...}}` with the exception's status. */
function remoteException(status: number, exception: string, message: string): Reply {
  return jsonReply(status, {
    RemoteException: { exception, message, javaClassName: `org.apache.hadoop.yarn.webapp.${exception}` },
  });
}

/** The application as it reads now: a kill whose delay has passed has taken effect. */
function current(app: YarnApp, nowMs: number): YarnApp {
  if (app.killedAt !== undefined && nowMs >= app.killedAt && !FINAL.includes(app.state)) {
    app.state = "KILLED";
    app.finalStatus = "KILLED";
    app.finishedTime = app.killedAt;
  }
  return app;
}

/** RMAppState (`.../state`): KILLING between an accepted kill and its effect. */
function rmAppState(app: YarnApp, nowMs: number): string {
  const now = current(app, nowMs);
  return now.killedAt !== undefined && !FINAL.includes(now.state) ? "KILLING" : now.state;
}

/** dao/AppInfo, the fields the client reads (and a few it does not). */
function appInfo(app: YarnApp, ctx: HandlerContext) {
  return {
    id: app.id,
    user: app.user,
    name: app.name,
    queue: app.queue,
    state: app.state,
    finalStatus: app.finalStatus,
    progress: FINAL.includes(app.state) ? 100 : 50,
    trackingUI: "ApplicationMaster",
    diagnostics: app.diagnostics,
    clusterId: ctx.state.yarn.clusterTimestamp,
    applicationType: app.applicationType,
    // AppInfo joins the tags with commas; "" when none.
    applicationTags: app.applicationTags.join(","),
    priority: 0,
    startedTime: app.startedTime,
    launchTime: app.startedTime,
    finishedTime: app.finishedTime,
    elapsedTime: (app.finishedTime || ctx.now.getTime()) - app.startedTime,
    unmanagedApplication: app.unmanaged,
  };
}

function query(request: ReceivedRequest): URLSearchParams {
  return new URLSearchParams(request.rawQuery);
}

/** PseudoAuthenticationHandler: `user.name`; none is the static user dr.who (StaticUserWebFilter). */
function caller(request: ReceivedRequest): string {
  return query(request).get("user.name") ?? "dr.who";
}

export function handleYarn(resolution: Resolution, request: ReceivedRequest, ctx: HandlerContext): Outcome {
  const world = ctx.state.yarn;
  const nowMs = ctx.now.getTime();
  if (resolution.route === "yarn.cluster_info") {
    // Not redirected on a standby (RMWebAppFilter.shouldRedirect): it says which it is.
    return noEffect(
      jsonReply(200, {
        clusterInfo: {
          id: world.clusterTimestamp,
          startedOn: world.clusterTimestamp,
          state: "STARTED",
          haState: world.haState,
          resourceManagerVersion: "3.5.0",
          hadoopVersion: "3.5.0",
        },
      }),
    );
  }
  if (world.haState === "STANDBY") {
    // RMWebAppFilter.doFilter: 307 to the active RM with the same path and query; not knowing it,
    // 307 with only a Refresh header ("Can not find any active RM. Will retry in next N seconds.").
    const target = `${request.rawPath}${request.rawQuery ? `?${request.rawQuery}` : ""}`;
    const headers: Record<string, string> = world.activeUrl
      ? { Location: `${world.activeUrl}${target}` }
      : { Refresh: `5;url=${target}` };
    return noEffect({
      status: 307,
      headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
      body: world.activeUrl
        ? `This is standby RM. The redirect url is: ${target}\n`
        : "Can not find any active RM. Will retry in next 5 seconds.\n",
    });
  }
  if (resolution.route === "unknown")
    return noEffect(
      remoteException(404, "NotFoundException", `no route for ${request.method} ${request.rawPath}`),
    );
  if (resolution.route === "yarn.list_apps") return noEffect(list(request, ctx));

  const id = resolution.params.appId;
  // WebAppUtils.parseApplicationId: ApplicationId.fromString, else BadRequestException.
  if (!/^application_\d+_\d+$/.test(id))
    return noEffect(remoteException(400, "BadRequestException", `Invalid ApplicationId: ${id}`));
  const found = world.apps.get(id);
  // RMWebServices.getRMAppForAppId.
  if (!found) return noEffect(remoteException(404, "NotFoundException", `app with id: ${id} not found`));
  const app = current(found, nowMs);
  switch (resolution.route) {
    case "yarn.get_app":
      return noEffect(jsonReply(200, { app: appInfo(app, ctx) }));
    case "yarn.app_state":
      return noEffect(jsonReply(200, { state: rmAppState(app, nowMs) }));
    default:
      return kill(app, request, ctx);
  }
}

/** RMWebServices.updateAppState and killApp, ClientRMService.forceKillApplication. */
function kill(app: YarnApp, request: ReceivedRequest, ctx: HandlerContext): Outcome {
  const world = ctx.state.yarn;
  const nowMs = ctx.now.getTime();
  let target: unknown;
  try {
    target = (JSON.parse(request.body.toString("utf8")) as { state?: unknown }).state;
  } catch {
    return noEffect(remoteException(400, "BadRequestException", "the body is not an AppState"));
  }
  const state = rmAppState(app, nowMs);
  // The same state as asked: 200 with it, nothing done.
  if (state === target) return noEffect(jsonReply(200, { state }));
  if (target !== "KILLED")
    return noEffect(
      remoteException(400, "BadRequestException", "Only 'KILLED' is allowed as a target state."),
    );
  const user = caller(request);
  // checkAccess(MODIFY_APP): the owner or an admin; the refusal is killApp's plain text 403.
  if (user !== app.user && !world.admins.includes(user))
    return noEffect({
      status: 403,
      headers: { "Content-Type": "application/json;charset=utf-8" },
      body: `Unauthorized attempt to kill appid ${app.id} by remote user ${user}`,
    });
  if (app.finishesOnKill && !FINAL.includes(app.state)) {
    app.state = "FINISHED";
    app.finalStatus = "SUCCEEDED";
    app.finishedTime = nowMs;
  }
  // isAppFinalStateStored: "done", 200 with the state it ended in.
  if (FINAL.includes(app.state)) return noEffect(jsonReply(200, { state: app.state }));
  if (app.killedAt === undefined) {
    app.killedAt = nowMs + (app.unmanaged ? 0 : world.killDelayMs);
    app.diagnostics = `Application ${app.id} was killed by user ${user} at 127.0.0.1`;
  }
  // An unmanaged AM's kill is done at once (200), the state read before the kill's event is handled.
  if (app.unmanaged) return { reply: jsonReply(200, { state: app.state }), effective: true };
  return {
    reply: {
      ...jsonReply(202, { state: "KILLING" }),
      headers: {
        "Content-Type": "application/json;charset=utf-8",
        Location: `http://127.0.0.1/ws/v1/cluster/apps/${app.id}/state`,
      },
    },
    effective: true,
  };
}

/** RMWebServices.getApps with ApplicationsRequestBuilder and ClientRMService.getApplications. */
function list(request: ReceivedRequest, ctx: HandlerContext): Reply {
  const world = ctx.state.yarn;
  const nowMs = ctx.now.getTime();
  const q = query(request);
  const split = (key: string) =>
    (q.get(key) ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  const states = split("states").map((s) => s.toUpperCase());
  const queue = q.get("queue");
  const known = new Set([...world.apps.values()].map((app) => app.queue).concat("root.default"));
  // validateQueueExists: a queue CapacityScheduler does not have is a 400.
  if (queue && !known.has(queue) && !known.has(`root.${queue}`))
    return remoteException(400, "BadRequestException", `Failed to find queue ${queue}`);
  const types = split("applicationTypes");
  const tags = split("applicationTags").map((t) => t.toLowerCase());
  const user = q.get("user");
  const name = q.get("name");
  const apps = [...world.apps.values()]
    .map((app) => current(app, nowMs))
    .filter(
      (app) =>
        world.ignoresListFilters ||
        ((states.length === 0 || states.includes(app.state)) &&
          (!user || app.user === user) &&
          (!queue || app.queue === queue || app.queue === `root.${queue}`) &&
          (types.length === 0 || types.includes(app.applicationType)) &&
          // Any one of the tags (ClientRMService.getApplications).
          (tags.length === 0 || tags.some((tag) => app.applicationTags.includes(tag))) &&
          (!name || app.name === name)),
    );
  // AppsInfo: `{"apps":{}}` when there is none.
  return jsonReply(200, { apps: apps.length ? { app: apps.map((app) => appInfo(app, ctx)) } : {} });
}

export function yarnSnapshot(world: YarnWorld, nowMs: number) {
  return {
    haState: world.haState,
    applications: [...world.apps.values()].map((app) => {
      const now = current(app, nowMs);
      return { id: now.id, name: now.name, user: now.user, state: now.state, finalStatus: now.finalStatus };
    }),
  };
}
