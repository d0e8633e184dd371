/**
 * YarnApplicationTermination: kill YARN applications through the ResourceManager's REST API
 * (`PUT /ws/v1/cluster/apps/{id}/state`, docs/apis.md §3) and watch them stop. One application
 * (`applicationId`), an explicit batch (`applicationIds`), or every application a selector matches
 * when `pulumi up` runs (`applicationSelector`, resolved through the listing, matched here exactly).
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import type {
  ImportSupport,
  PollResult,
  PreflightResult,
  Recorded,
  ResumeResult,
  Session,
  StartResult,
  Target,
} from "../../core/contract";
import { idList, stillRunning } from "../../core/importId";
import { TerminationProvider } from "../../core/provider";
import type { SettingsContext } from "../../core/settings";
import { CancelledError, isApiError, mayHaveArrived, TerminationError } from "../../errors";
import { isUnknown, type CheckFailure } from "../../validation/fields";
import { formatDuration } from "../mrs/api";
import { apiError, getApp, getAppState, isFinal, killApp, listApps, type YarnApp } from "./api";
import { exceptions, isCredentialsRefused, isFinalState, nonFinalStates } from "./codes";
import { yarnFields } from "./fields";
import type { YarnApplicationTerminationInputs } from "./inputs.generated";
import type {
  YarnApplicationState,
  YarnApplicationTerminationOutputs,
  YarnDetails,
} from "./outputs.generated";
import { yarnOutputs } from "./outputs";
import { checkYarnSettings, resolveYarnSettings, type YarnSettings } from "./settings";

type Inputs = YarnApplicationTerminationInputs;

const targetKeys = ["applicationId", "applicationIds", "applicationSelector"] as const;
const maxApplicationsDefault = 10;

function checkSettings(news: Inputs, context: SettingsContext): CheckFailure[] {
  const failures = checkYarnSettings(news, context);
  const given = targetKeys.filter((key) => news[key] !== undefined && news[key] !== null);
  if (given.length !== 1)
    failures.push({
      property: given[1] ?? "applicationId",
      reason: `give exactly one of applicationId, applicationIds or applicationSelector${given.length ? ` (got ${given.join(" and ")})` : ""}`,
    });
  return failures;
}

export function describe(inputs: Inputs): string {
  if (inputs.applicationId) return `YARN application ${inputs.applicationId}`;
  if (inputs.applicationIds) return `YARN applications [${inputs.applicationIds.join(", ")}]`;
  return `YARN applications matching ${JSON.stringify(inputs.applicationSelector)}`;
}

/** What the record keeps of an application: the RM's own names, times only when known (not 0). */
export function appState(app: YarnApp): YarnApplicationState {
  const time = (value: unknown) => (typeof value === "number" && value > 0 ? value : undefined);
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const state: YarnApplicationState = {
    applicationId: app.id,
    name: text(app.name),
    user: text(app.user),
    queue: text(app.queue),
    applicationType: text(app.applicationType),
    state: text(app.state),
    finalStatus: text(app.finalStatus),
    diagnostics: text(app.diagnostics),
    startedTime: time(app.startedTime),
    finishedTime: time(app.finishedTime),
  };
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as YarnApplicationState;
}

/** Outputs for a set of applications; with applicationId also the single application's fields. */
function details(inputs: Inputs, apps: YarnApplicationState[]): YarnDetails {
  const [app] = apps;
  if (!inputs.applicationId || !app) return { applications: apps };
  return { applications: apps, state: app.state, finalStatus: app.finalStatus, diagnostics: app.diagnostics };
}

/** The applications a selector matches now, exactly, in the states it names (default: not final). */
function selectApps(inputs: Inputs, settings: YarnSettings, session: Session): Promise<YarnApp[]> {
  const selector = inputs.applicationSelector ?? {};
  return listApps(session, settings, { ...selector, states: selector.states ?? nonFinalStates });
}

/** Why a selector may not go on: it matches more than maxApplications. Checked before any kill. */
function overLimit(inputs: Inputs, apps: YarnApp[]): string | undefined {
  if (isUnknown(inputs.maxApplications)) return undefined;
  const max = inputs.maxApplications ?? maxApplicationsDefault;
  if (apps.length <= max) return undefined;
  const shown = apps.slice(0, 10).map((app) => `${app.name || "unnamed"} (${app.id}, user ${app.user})`);
  return (
    `matches ${apps.length} applications, more than maxApplications (${max}): ${shown.join(", ")}${apps.length > 10 ? ", ..." : ""}. ` +
    `Narrow the selector, or raise maxApplications to at least ${apps.length}`
  );
}

type KillResult =
  | { outcome: "killed"; app: YarnApp }
  | { outcome: "finished"; app: YarnApp }
  /** The kill may have reached the RM, but no answer says what became of it. */
  | { outcome: "uncertain"; error: Error; app: YarnApp };

function finished(inputs: Inputs, app: YarnApp, context: string): KillResult {
  if (inputs.whenAlreadyFinished === "fail")
    throw new TerminationError(
      `YARN: application ${app.id} (${app.name || "unnamed"}) ${context}: state ${app.state}, final status ${app.finalStatus}. ` +
        `Nothing was killed; set whenAlreadyFinished: "succeed" to accept this.`,
    );
  return { outcome: "finished", app };
}

/**
 * Reads the application, kills it unless it is final, and reads the answer as updateAppState gives
 * it: 202 while the kill takes effect (killApp: forceKillApplication not yet done), 200 when done or
 * nothing to do, with the state the application has then. `earlierLost`: an earlier kill of ours
 * may have arrived (its answer was lost), so an application found KILLED is that kill's work.
 */
async function killOne(
  inputs: Inputs,
  settings: YarnSettings,
  session: Session,
  id: string,
  earlierLost = false,
): Promise<KillResult> {
  const before = await getApp(session, settings, id);
  if (isFinal(before)) {
    if (earlierLost && before.state === "KILLED") return { outcome: "killed", app: before };
    return finished(inputs, before, "was already finished");
  }
  let answer;
  try {
    answer = await killApp(session, settings, id);
  } catch (error) {
    if (mayHaveArrived(error)) return { outcome: "uncertain", error: error as Error, app: before };
    throw error;
  }
  const { response, url, state } = answer;
  const ours = earlierLost || response.uncertainAttempts > 0;
  if (response.status === 202) return { outcome: "killed", app: { ...before, state: state ?? before.state } };
  if (response.status === 200 && state !== undefined) {
    const now = { ...before, state };
    // FINISHED or FAILED: it ended on its own before the kill arrived (forceKillApplication answers
    // "done" for an application whose final state is stored, and killApp reports that state).
    if (state !== "KILLED" && isFinalState(state))
      return finished(inputs, now, "finished before the kill arrived");
    // KILLED: ours, done at once (killApp reads the state after forceKillApplication, and an unmanaged
    // AM's application is killed synchronously), or a kill by someone else in the moment since our read;
    // either way it was running and is killed. Any other state: done, not yet shown; the wait reads on.
    return { outcome: "killed", app: now };
  }
  const error = apiError(
    `kill application ${id}`,
    "PUT",
    url,
    response,
    response.status === 200
      ? "The ResourceManager answers a kill with its state: is a proxy in between?"
      : undefined,
  );
  // A 2xx that is not the RM's, or a 5xx after the retries: the kill may or may not have been done.
  if (ours || response.status < 300 || response.status >= 500)
    return { outcome: "uncertain", error, app: before };
  throw error;
}

interface Batch {
  apps: YarnApplicationState[];
  killed: string[];
  /** Every application to retry: its kill did not go through, or may not have. */
  failed: string[];
  /** Of `failed`, the kills that may have reached the RM (their answer was lost). */
  uncertain: string[];
  failures: string[];
  errors: Error[];
}

const isNotFound = (error: unknown) =>
  isApiError(error) && error.httpStatus === 404 && error.code === exceptions.notFound;

/**
 * Kills each application once. One application's failure does not stop the others nor hide the
 * kills already sent. One a selector listed that is gone by the time of its kill is dropped; so is
 * one a resume retries (`resuming`), which the RM had when create met it: it has forgotten it since
 * (a restart, or max-completed-applications), and a retried kill could never succeed.
 */
async function killEach(
  inputs: Inputs,
  settings: YarnSettings,
  session: Session,
  ids: string[],
  earlierLost: ReadonlySet<string> = new Set(),
  resuming = false,
): Promise<Batch> {
  const batch: Batch = { apps: [], killed: [], failed: [], uncertain: [], failures: [], errors: [] };
  for (const [index, id] of ids.entries()) {
    if (session.signal?.aborted) {
      // Cancelled (Ctrl-C): no further kill goes out; the applications left are retried by the next `up`.
      for (const left of ids.slice(index)) {
        batch.apps.push({ applicationId: left });
        batch.failed.push(left);
        batch.failures.push(`${left}: not sent, the engine asked the provider to stop (Ctrl-C)`);
        batch.errors.push(new CancelledError(`YARN: kill application ${left}: not sent (Ctrl-C)`));
      }
      break;
    }
    try {
      const result = await killOne(inputs, settings, session, id, earlierLost.has(id));
      batch.apps.push(appState(result.app));
      if (result.outcome === "uncertain") {
        batch.failed.push(id);
        batch.uncertain.push(id);
        batch.failures.push(
          `${id}: the kill may have gone through, but no answer says so (the next \`pulumi up\` reads the application and kills it again if it still runs): ${result.error.message}`,
        );
        batch.errors.push(result.error);
      } else if (result.outcome === "killed") batch.killed.push(id);
    } catch (error) {
      if ((inputs.applicationSelector || resuming) && isNotFound(error)) {
        session.reporter.info(
          `${describe(inputs)}: application ${id} is gone since it was ${resuming ? "recorded" : "listed"}; skipped, nothing of it runs`,
        );
        continue;
      }
      batch.apps.push({ applicationId: id });
      batch.failed.push(id);
      batch.failures.push(`${id}: ${(error as Error).message}`);
      batch.errors.push(error as Error);
    }
  }
  return batch;
}

const failedText = (batch: Batch) =>
  `the kills of [${batch.failed.join(", ")}] did not go through:\n${batch.failures.join("\n")}`;

async function terminate(
  inputs: Inputs,
  settings: YarnSettings,
  session: Session,
): Promise<StartResult<YarnDetails>> {
  let ids: string[];
  if (inputs.applicationSelector) {
    const apps = await selectApps(inputs, settings, session);
    const problem = overLimit(inputs, apps);
    if (problem)
      throw new TerminationError(`${describe(inputs)}: applicationSelector ${problem}. Nothing was killed.`);
    ids = apps.map((app) => app.id);
  } else {
    ids = inputs.applicationId ? [inputs.applicationId] : (inputs.applicationIds ?? []);
  }
  const batch = await killEach(inputs, settings, session, ids);
  // A kill that may have arrived must be recorded, so that the next `up` resumes from it.
  const sent = batch.killed.length + batch.uncertain.length;
  if (ids.length === 1 && batch.errors[0] && sent === 0) throw batch.errors[0];
  if (batch.failed.length > 0 && sent === 0)
    throw new TerminationError(`${describe(inputs)}: no application was killed; ${failedText(batch)}`);
  if (inputs.applicationSelector)
    session.reporter.info(`${describe(inputs)}: ${ids.length} matched, killed [${batch.killed.join(", ")}]`);
  return {
    outcome: sent > 0 ? "terminated" : batch.apps.length > 0 ? "already-finished" : "nothing-running",
    details: {
      ...details(inputs, batch.apps),
      killedApplicationIds: batch.killed,
      failedApplicationIds: batch.failed,
    },
    incomplete:
      batch.failed.length > 0
        ? `killed ${batch.killed.length} of ${ids.length} applications; these failed:\n${batch.failures.join("\n")}`
        : undefined,
  };
}

/**
 * After an incomplete create: sends again, once each, the kills that did not go through. A kill is
 * harmless to repeat, and one of them may have arrived: an application found KILLED counts as killed.
 */
async function resume(
  record: Recorded<Inputs, YarnDetails>,
  settings: YarnSettings,
  session: Session,
): Promise<ResumeResult<YarnDetails>> {
  const retry = record.failedApplicationIds ?? [];
  if (retry.length === 0) return { details: {} };
  const batch = await killEach(record, settings, session, retry, new Set(retry), true);
  const retried = new Map(batch.apps.map((app) => [app.applicationId, app]));
  const recorded = record.applications ?? [];
  // A retried application that killEach skipped is gone: it keeps what was last seen, marked so.
  const apps = recorded.map((app) =>
    !retry.includes(app.applicationId)
      ? app
      : (retried.get(app.applicationId) ?? { ...app, gone: true as const }),
  );
  return {
    details: {
      ...details(record, apps),
      killedApplicationIds: [...(record.killedApplicationIds ?? []), ...batch.killed],
      failedApplicationIds: batch.failed,
    },
    incomplete:
      batch.failed.length > 0
        ? `retried ${retry.length} kill(s), killed ${batch.killed.length}; ${failedText(batch)}`
        : undefined,
  };
}

/** What a record left incomplete still has to do: the kills to send again (any of them may have arrived). */
function pending(record: Recorded<Inputs, YarnDetails>): string[] {
  const retry = record.failedApplicationIds ?? [];
  return retry.length
    ? [`the kill(s) of [${retry.join(", ")}] did not go through, or no answer said so`]
    : [];
}

function watchedIds(record: Inputs & YarnDetails): string[] {
  if (record.applications) return record.applications.map((app) => app.applicationId);
  return record.applicationId ? [record.applicationId] : (record.applicationIds ?? []);
}

/**
 * Reads each recorded application's state (`GET .../state`), and the whole application once it is
 * final, for its final status, diagnostics and times. Stopped: every application whose kill went out
 * is final (KILLED, FINISHED or FAILED; KILLING and FINAL_SAVING are not yet). One the RM has
 * forgotten keeps what was last seen, marked gone; all gone is an error `isGone` recognises.
 */
async function poll(
  record: Inputs & YarnDetails,
  settings: YarnSettings,
  session: Session,
): Promise<PollResult<YarnDetails>> {
  const ids = watchedIds(record);
  const failed = new Set(record.failedApplicationIds ?? []);
  const known = new Map((record.applications ?? []).map((app) => [app.applicationId, app]));
  const gone: unknown[] = [];
  const apps = await Promise.all(
    ids.map(async (id): Promise<YarnApplicationState> => {
      const last = known.get(id) ?? { applicationId: id };
      try {
        const state = await getAppState(session, settings, id);
        if (!isFinalState(state)) return { ...last, state };
        if (isFinalState(last.state) && last.finalStatus && last.finalStatus !== "UNDEFINED") return last;
        return appState(await getApp(session, settings, id));
      } catch (error) {
        if (isNotFound(error)) {
          gone.push(error);
          return { ...last, gone: true };
        }
        if (failed.has(id)) return last;
        throw error;
      }
    }),
  );
  if (ids.length > 0 && gone.length === ids.length) throw gone[0];
  const watched = apps.filter((app) => !failed.has(app.applicationId));
  const running = watched.filter((app) => !app.gone && !isFinalState(app.state));
  const notSent = failed.size > 0 ? `; ${failed.size} kill(s) not gone through` : "";
  const summary =
    record.applicationId && apps[0]
      ? `application ${apps[0].state}${apps[0].finalStatus ? ` (final status ${apps[0].finalStatus})` : ""}`
      : `${running.length} of ${watched.length} application(s) not final${notSent}`;
  return { stopped: running.length === 0, summary, details: details(record, apps) };
}

async function preflight(inputs: Inputs, settings: YarnSettings, session: Session): Promise<PreflightResult> {
  const apps: YarnApp[] = [];
  if (inputs.applicationSelector) {
    // The listing already shows each application: no read per application.
    apps.push(...(await selectApps(inputs, settings, session)));
    const problem = overLimit(inputs, apps);
    if (problem) return { found: false, property: "applicationSelector", reason: problem };
  } else {
    const ids = inputs.applicationId ? [inputs.applicationId] : (inputs.applicationIds ?? []);
    for (const id of ids) {
      try {
        apps.push(await getApp(session, settings, id));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        const property = inputs.applicationIds ? `applicationIds[${apps.length}]` : "applicationId";
        return { found: false, property, reason: `does not exist: ${(error as Error).message}` };
      }
    }
  }
  const lines = apps.map((app) => {
    const name = `${app.name ? `${app.name} (${app.id})` : app.id}, user ${app.user}, queue ${app.queue}`;
    if (isFinal(app))
      return `YARN application ${name} already ${app.state} (final status ${app.finalStatus}): nothing to do`;
    const since = app.startedTime ? ` for ${formatDuration(session.now() - app.startedTime)}` : "";
    return `YARN application ${name} ${app.state}${since}: will be killed`;
  });
  if (inputs.applicationSelector)
    lines.unshift(`${describe(inputs)}: ${apps.length} application(s) match now`);
  if (lines.length === 0) lines.push(`${describe(inputs)}: no application: nothing to do`);
  return { found: true, message: lines.join("\n") };
}

/**
 * `pulumi import`: `yarn/<applicationId>` names applicationId, and a list of two or more ids, comma
 * separated, names applicationIds. The ids create recorded for a batch or a selector do not carry
 * their applications.
 */
const importing: ImportSupport<Inputs, YarnSettings, YarnDetails> = {
  kind: "yarn",
  forms: ["yarn/<applicationId>", "yarn/<applicationId>,<applicationId>,…"],
  pathFields: [...targetKeys],
  parse(path, created) {
    if (path.includes("/")) return `it has more than one part after yarn/`;
    if (created && (path === "batch" || path === "selector"))
      return `that is the id create records for ${path === "batch" ? "an applicationIds batch" : "an applicationSelector"}, which does not list its applications: name them`;
    const ids = idList(path, "application id");
    if (typeof ids === "string") return ids;
    return ids.length === 1 ? { applicationId: ids[0] } : { applicationIds: ids };
  },
  async observe(inputs, settings, session) {
    const ids = inputs.applicationId ? [inputs.applicationId] : (inputs.applicationIds ?? []);
    const apps: YarnApp[] = [];
    for (const id of ids) apps.push(await getApp(session, settings, id));
    const running = apps.filter((app) => !isFinal(app));
    if (running.length > 0)
      throw stillRunning(
        describe(inputs),
        running.map((app) => `application ${app.id} is ${app.state}`).join(", "),
        "kill",
      );
    return {
      outcome: "already-finished",
      details: { ...details(inputs, apps.map(appState)), killedApplicationIds: [], failedApplicationIds: [] },
    };
  },
};

export const yarnTarget: Target<Inputs, YarnSettings, YarnDetails> = {
  typeName: "YarnApplicationTermination",
  fields: yarnFields,
  outputs: yarnOutputs,
  checkSettings,
  resolveSettings: (inputs, context) => resolveYarnSettings(inputs, context),
  describe,
  idPrefix: (inputs) => `yarn/${inputs.applicationId ?? (inputs.applicationIds ? "batch" : "selector")}`,
  terminate,
  resume,
  pending,
  poll,
  preflight,
  isGone: isNotFound,
  isCredentialsRefused,
  importing,
};

/** The provider object behind YarnApplicationTermination; drive it directly with plain inputs in tests. */
export const yarnApplicationTerminationProvider = new TerminationProvider(
  yarnTarget,
) satisfies ResourceProvider<YarnApplicationTerminationInputs, YarnApplicationTerminationOutputs>;
