/**
 * The YARN ResourceManager REST API as this package uses it (docs/apis.md §3): which RM of an HA set
 * is active, the application reads, the listing and the kill. Shared by the target and the lookups.
 * Hadoop 3.5.0's source is cited as `Class.method`; the paths are RMWSConsts'.
 */
import type { Session } from "../../core/contract";
import { ApiError, TerminationError } from "../../errors";
import { displayUrl, type HttpResponse } from "../../http/client";
import { pathSegment } from "../../validation/url";
import { lookupCode } from "../../core/codeTable";
import { exceptions, hints, isFinalState } from "./codes";
import type { YarnSettings } from "./settings";

const service = "YARN";

/** An application as `GET /ws/v1/cluster/apps[/{id}]` reports it (dao/AppInfo), the fields used here. */
export interface YarnApp {
  id: string;
  user?: string;
  name?: string;
  queue?: string;
  /** YarnApplicationState: NEW … RUNNING, FINISHED, FAILED, KILLED. */
  state?: string;
  /** UNDEFINED while running; SUCCEEDED, FAILED or KILLED once final (FinalApplicationStatus). */
  finalStatus?: string;
  applicationType?: string;
  /** Comma-joined, as AppInfo joins them; lower case unless the RM keeps case (see `tagsOf`). */
  applicationTags?: string;
  diagnostics?: string;
  /** Epoch ms; AppInfo reports 0 for these to a caller without VIEW_APP access. */
  startedTime?: number;
  finishedTime?: number;
  elapsedTime?: number;
}

/** The failure shape of RMWebServices (GenericExceptionHandler: RemoteExceptionData). */
interface RemoteException {
  RemoteException?: { exception?: string; message?: string; javaClassName?: string };
}

function remoteException(data: unknown) {
  const body = (typeof data === "object" && data !== null ? data : {}) as RemoteException;
  return typeof body.RemoteException === "object" && body.RemoteException !== null
    ? body.RemoteException
    : undefined;
}

export function apiError(
  operation: string,
  method: string,
  url: URL,
  response: HttpResponse,
  hint?: string,
): ApiError {
  const remote = remoteException(response.data);
  const code = remote?.exception;
  const negotiate = /negotiate/i.test(response.headers["www-authenticate"] ?? "");
  return new ApiError({
    service,
    operation,
    method,
    url: displayUrl(url),
    httpStatus: response.status,
    code,
    serviceMessage:
      remote?.message ?? (typeof response.data === "string" ? response.data.trim().slice(0, 300) : undefined),
    hint:
      hint ??
      (negotiate
        ? "The ResourceManager asks for Kerberos (SPNEGO), which is not supported yet: see docs/apis.md §3.6 for what to do instead"
        : response.status === 403 && code === undefined
          ? lookupCode(hints, exceptions.forbidden)
          : lookupCode(hints, code)),
    attempts: response.attempts,
  });
}

/** `base` + `path`, the base's own path kept (an RM behind a path prefix), `user.name` in the query. */
function rmUrl(base: URL, path: string, settings: YarnSettings, query: Record<string, string> = {}): URL {
  const url = new URL(base.toString());
  url.pathname = base.pathname.replace(/\/$/, "") + path;
  const params = new URLSearchParams(query);
  // Simple authentication (PseudoAuthenticationHandler): the user travels as `user.name`.
  if (settings.user) params.set("user.name", settings.user);
  url.search = params.toString();
  return url;
}

function send(
  session: Session,
  operation: string,
  method: "GET" | "PUT",
  url: URL,
  body?: unknown,
): Promise<HttpResponse> {
  return session.http.send({
    service,
    operation,
    method,
    url: url.toString(),
    headers: {
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? "" : JSON.stringify(body),
  });
}

/** What `GET /ws/v1/cluster/info` says of one RM: ACTIVE, STANDBY, or why it could not say. */
async function haState(session: Session, settings: YarnSettings, base: URL): Promise<string> {
  const url = rmUrl(base, "/ws/v1/cluster/info", settings);
  try {
    const response = await send(
      session,
      `read the state of the ResourceManager at ${base.origin}`,
      "GET",
      url,
    );
    const info = (response.data as { clusterInfo?: { haState?: unknown } } | undefined)?.clusterInfo;
    if (response.status !== 200 || typeof info !== "object" || info === null)
      return `HTTP ${response.status} without clusterInfo: not a ResourceManager's answer`;
    // A ResourceManager without HA reports ACTIVE too (ClusterInfo: rmContext.getHAServiceState()).
    return typeof info.haState === "string" ? info.haState : "no haState";
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The active ResourceManager of `settings.urls`, asked of each at once: `GET /ws/v1/cluster/info`
 * is the one path a standby answers itself (RMWebAppFilter.shouldRedirect), with `haState`. Every
 * other answer of a standby is no answer to trust: it redirects (307, with a Location when it
 * knows the active one), or, when its redirect filter is not in the way, answers from its own
 * empty state (`{"apps":{}}`, 404 for any application), which would read as "nothing running".
 */
export async function activeResourceManager(session: Session, settings: YarnSettings): Promise<URL> {
  const seen = new Map<string, string>();
  const found = await new Promise<URL | undefined>((resolve) => {
    let pending = settings.urls.length;
    for (const url of settings.urls) {
      void haState(session, settings, url).then((state) => {
        seen.set(url.toString(), state);
        if (state === "ACTIVE") resolve(url);
        if (--pending === 0) resolve(undefined);
      });
    }
  });
  if (found) return found;
  const states = settings.urls.map(
    (url) => `${url.origin}${url.pathname.replace(/\/$/, "")}: ${seen.get(url.toString())}`,
  );
  throw new TerminationError(
    `YARN: no active ResourceManager among ${settings.urls.length === 1 ? "the one configured" : `the ${settings.urls.length} configured`} (${states.join("; ")}). ` +
      `Set yarn:resourceManagerUrl (YARN_RESOURCEMANAGER_URL) to the RM's web address, both of an HA pair separated by a comma.`,
  );
}

/**
 * A request to the active RM. A 307 means that RM became a standby since it was asked (the redirect
 * filter answers before any resource method runs, so nothing was done): the active one is found
 * again and asked once more. The redirect itself is never followed (the HTTP layer refuses to).
 */
async function request(
  session: Session,
  settings: YarnSettings,
  operation: string,
  method: "GET" | "PUT",
  path: string,
  query: Record<string, string> = {},
  body?: unknown,
): Promise<{ response: HttpResponse; url: URL }> {
  let base = await activeResourceManager(session, settings);
  let url = rmUrl(base, path, settings, query);
  let response = await send(session, operation, method, url, body);
  if (response.status === 307) {
    base = await activeResourceManager(session, settings);
    url = rmUrl(base, path, settings, query);
    response = await send(session, operation, method, url, body);
    if (response.status === 307)
      throw apiError(
        operation,
        method,
        url,
        response,
        `The ResourceManager at ${base.origin} said it is active, then redirected to ${response.headers.location ?? "nowhere"}: an HA failover is under way; run it again`,
      );
  }
  return { response, url };
}

const appPath = (id: string) => `/ws/v1/cluster/apps/${pathSegment("applicationId", id)}`;

/** The application as its owner sees it (`GET /ws/v1/cluster/apps/{id}`, RMWebServices.getApp). */
export async function getApp(session: Session, settings: YarnSettings, id: string): Promise<YarnApp> {
  const operation = `read application ${id}`;
  const { response, url } = await request(session, settings, operation, "GET", appPath(id));
  if (response.status !== 200) throw apiError(operation, "GET", url, response);
  const app = (response.data as { app?: YarnApp } | undefined)?.app;
  if (typeof app !== "object" || app === null || typeof app.state !== "string" || app.id !== id)
    throw new TerminationError(
      `YARN: ${operation}: the answer is not application ${id} with a state (HTTP ${response.status} from GET ${displayUrl(url)}): is a proxy in between?`,
    );
  return app;
}

/** The application's RMAppState (`GET .../apps/{id}/state`, RMWebServices.getAppState). */
export async function getAppState(session: Session, settings: YarnSettings, id: string): Promise<string> {
  const operation = `read the state of application ${id}`;
  const { response, url } = await request(session, settings, operation, "GET", `${appPath(id)}/state`);
  if (response.status !== 200) throw apiError(operation, "GET", url, response);
  const state = (response.data as { state?: unknown } | undefined)?.state;
  if (typeof state !== "string" || state === "")
    throw new TerminationError(
      `YARN: ${operation}: the answer has no state (HTTP ${response.status} from GET ${displayUrl(url)}): is a proxy in between?`,
    );
  return state;
}

/** The answer to a kill, with the state it reports (RMWebServices.updateAppState / killApp). */
export interface KillAnswer {
  response: HttpResponse;
  url: URL;
  /** The `state` of the answer's body, when it has one. */
  state?: string;
}

/**
 * `PUT .../apps/{id}/state {"state":"KILLED"}`. Sent again it does no harm: an application already
 * KILLED is answered 200 with that state (updateAppState), one final otherwise 200 with its own
 * (forceKillApplication returns "done" for an application whose final state is stored).
 */
export async function killApp(session: Session, settings: YarnSettings, id: string): Promise<KillAnswer> {
  const { response, url } = await request(
    session,
    settings,
    `kill application ${id}`,
    "PUT",
    `${appPath(id)}/state`,
    {},
    { state: "KILLED" },
  );
  const state = (response.data as { state?: unknown } | undefined)?.state;
  return { response, url, state: typeof state === "string" ? state : undefined };
}

export interface AppFilter {
  name?: string;
  queue?: string;
  user?: string;
  applicationType?: string;
  /** Every one of them on the application. */
  applicationTags?: string[];
  /** YarnApplicationStates. */
  states: string[];
}

/**
 * The RM keeps tags in lower case unless told otherwise (ApplicationSubmissionContextPBImpl.
 * setApplicationTags, yarn.resourcemanager.application-tag-based-placement.force-lowercase, default
 * true), and so compares them (GetApplicationsRequestPBImpl): tags are matched regardless of case.
 */
export function tagsOf(app: YarnApp): string[] {
  return (app.applicationTags ?? "")
    .split(",")
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * A queue as the selector names it and as the RM reports it: CapacityScheduler reports the full
 * path (`root.etl`); a name without `root.` is taken as under root.
 */
export function sameQueue(selector: string, reported: string | undefined): boolean {
  if (reported === undefined) return false;
  return reported === selector || reported === `root.${selector}`;
}

/** Whether the application matches every field of the filter, on the client. */
export function matches(app: YarnApp, filter: AppFilter): boolean {
  const tags = new Set(tagsOf(app));
  return (
    filter.states.includes(String(app.state)) &&
    (filter.name === undefined || app.name === filter.name) &&
    (filter.queue === undefined || sameQueue(filter.queue, app.queue)) &&
    (filter.user === undefined || app.user === filter.user) &&
    (filter.applicationType === undefined || app.applicationType === filter.applicationType) &&
    (filter.applicationTags ?? []).every((tag) => tags.has(tag.toLowerCase()))
  );
}

/**
 * Every application matching the filter, exactly. The query's filters (RMWebServices.getApps:
 * states, user, queue, applicationTypes, applicationTags, name) only narrow what is sent back: an
 * RM that ignores one (an older version has no `name`; `applicationTags` matches any one tag) is
 * matched again here. The RM returns its whole list at once: it has no pages.
 */
export async function listApps(
  session: Session,
  settings: YarnSettings,
  filter: AppFilter,
): Promise<YarnApp[]> {
  const query: Record<string, string> = { states: filter.states.join(",") };
  if (filter.user !== undefined) query.user = filter.user;
  if (filter.queue !== undefined) query.queue = filter.queue;
  if (filter.applicationType !== undefined) query.applicationTypes = filter.applicationType;
  if (filter.applicationTags?.length) query.applicationTags = filter.applicationTags.join(",");
  if (filter.name !== undefined) query.name = filter.name;
  // Leaves out what is large and unused here (DeSelectsFields): resource requests, resource usage.
  query.deSelects = "resourceRequests,resourceInfo,timeouts";
  const operation = "list applications";
  const { response, url } = await request(session, settings, operation, "GET", "/ws/v1/cluster/apps", query);
  if (response.status !== 200)
    throw apiError(
      operation,
      "GET",
      url,
      response,
      remoteException(response.data)?.exception === exceptions.badRequest && filter.queue !== undefined
        ? "Check the selector's queue: the ResourceManager refuses a listing of a queue it does not have"
        : undefined,
    );
  const apps = (response.data as { apps?: { app?: unknown } | null } | undefined)?.apps;
  // No application at all is `{"apps":{}}` (or null from some versions): AppsInfo without its list.
  const list = apps === null || (typeof apps === "object" && apps.app === undefined) ? [] : apps?.app;
  if (!Array.isArray(list) || !list.every((app) => typeof (app as YarnApp | null)?.id === "string"))
    throw new TerminationError(
      `YARN: ${operation}: the answer has ${Array.isArray(list) ? "an application without an id" : "no apps.app list"} (HTTP ${response.status} from GET ${displayUrl(url)}): is a proxy in between?`,
    );
  const seen = new Set<string>();
  return (list as YarnApp[]).filter((app) => {
    if (seen.has(app.id)) return false;
    seen.add(app.id);
    return matches(app, filter);
  });
}

export const isFinal = (app: { state?: string }) => isFinalState(app.state);
