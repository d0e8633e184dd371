/**
 * NodemanTaskTermination: revoke the running tasks of a BlueKing NodeMan subscription
 * (`revoke_subscription`, docs/apis.md §1) through the ESB or the API gateway, then watch the
 * instances it acted on stop. One read before the revoke decides what to send: a revoke with a list
 * marks every named record FAILED, finished ones included, so only the named instances running
 * then are sent. Business errors arrive as HTTP 200 with `result: false`.
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import type {
  ImportSupport,
  PollResult,
  PreflightResult,
  Session,
  StartResult,
  Target,
} from "../../core/contract";
import { idList, stillRunning } from "../../core/importId";
import { TerminationProvider } from "../../core/provider";
import { isApiError, mayHaveArrived, TerminationError } from "../../errors";
import {
  call,
  documentedStatuses,
  isRunning,
  readInstances,
  unwrap,
  type RecordsView,
  type SeenInstance,
} from "./api";
import { codes, isCredentialsRefused } from "./codes";
import { nodemanFields } from "./fields";
import type { NodemanTaskTerminationInputs } from "./inputs.generated";
import type { InstanceStatus, NodemanDetails, NodemanTaskTerminationOutputs } from "./outputs.generated";
import { nodemanOutputs } from "./outputs";
import { checkSettings, resolveSettings, type NodemanSettings } from "./settings";

function describeTargets(inputs: NodemanTaskTerminationInputs): string {
  const count = inputs.instanceIds?.length;
  return `NodeMan subscription ${inputs.subscriptionId}${count ? ` (${count} instance${count > 1 ? "s" : ""})` : ""}`;
}

/** "NodeMan subscription 42 via apigw at bkapi.example.com": where the preview's reads and the revoke go. */
function subjectOf(inputs: NodemanTaskTerminationInputs, settings: NodemanSettings): string {
  return `NodeMan subscription ${inputs.subscriptionId} via ${settings.route} at ${settings.baseUrl.host}`;
}

/** What a revoke would do with what was read: pure, so that the preview and create agree. */
export interface RevokePlan {
  /** What to send (with instanceIds) or wait on (without): the instances running when read. */
  targets: SeenInstance[];
  /** With instanceIds: the listed instances seen but not running, left alone. */
  notRunning: SeenInstance[];
  /** With instanceIds: the listed ids the read did not show. */
  missing: string[];
}

export function planRevoke(inputs: NodemanTaskTerminationInputs, seen: SeenInstance[]): RevokePlan {
  const shown = new Set(seen.map((i) => i.instanceId));
  return {
    targets: seen.filter(isRunning),
    notRunning: inputs.instanceIds ? seen.filter((i) => !isRunning(i)) : [],
    missing: [...new Set(inputs.instanceIds ?? [])].filter((id) => !shown.has(id)),
  };
}

/** The plan in words: "2 of 3 listed instance(s) running will be revoked: a, b; not running, left alone: c (SUCCESS)". */
function describePlan(inputs: NodemanTaskTerminationInputs, seen: SeenInstance[], plan: RevokePlan): string {
  const what = inputs.instanceIds ? "listed instance(s)" : "instance(s)";
  const head = plan.targets.length
    ? `${plan.targets.length} of ${seen.length} ${what} running will be revoked: ${someOf(plan.targets.map((i) => i.instanceId))}`
    : "nothing running: nothing to do";
  const leftAlone = plan.notRunning.length
    ? `; not running, left alone: ${someOf(plan.notRunning.map((i) => `${i.instanceId} (${i.status})`))}`
    : "";
  return `${head}${leftAlone}${notes(inputs, seen)}`;
}

async function terminate(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<StartResult<NodemanDetails>> {
  // NodeMan reads an empty instance_id_list as "every running instance": never send one.
  if (inputs.instanceIds?.length === 0)
    throw new TerminationError(
      `instanceIds: an empty list names no instance, and NodeMan would revoke every running one; nothing was sent. Leave instanceIds out to mean every running instance.`,
    );
  const subject = subjectOf(inputs, settings);
  const seen = await readBeforeRevoke(inputs, settings, session, subject);
  const plan = seen && planRevoke(inputs, seen);
  if (seen && plan) session.reporter.info(`${subject}: ${describePlan(inputs, seen, plan)}`);
  const route = { resolvedRoute: settings.route };
  const recorded = (sent: SeenInstance[]): NodemanDetails => {
    const revoked = new Set(sent.map((i) => i.instanceId));
    return {
      ...route,
      ...(seen && { instances: instanceStatuses(seen, revoked) }),
      ...(inputs.instanceIds && {
        skippedInstanceIds: [...new Set(inputs.instanceIds)].filter((id) => !revoked.has(id)),
      }),
    };
  };
  if (seen && plan && plan.targets.length === 0)
    return nothingRunning(inputs, `${subject}: ${describePlan(inputs, seen, plan)}`, recorded([]));
  const params: Record<string, unknown> = { subscription_id: inputs.subscriptionId };
  if (inputs.instanceIds && plan) params.instance_id_list = plan.targets.map((i) => i.instanceId);
  const operation = `revoke the running tasks of subscription ${inputs.subscriptionId}`;
  let sent: Awaited<ReturnType<typeof call>>;
  try {
    sent = await call(session, settings, "revoke", operation, params);
  } catch (error) {
    // No answer (lost, or Ctrl-C while it was retried): it may have gone through, so it is recorded,
    // incomplete, and the next `pulumi up` waits for what it would have stopped.
    if (!mayHaveArrived(error)) throw error;
    return {
      outcome: "terminated",
      details: recorded(plan?.targets ?? []),
      incomplete: `the revoke may have gone through, but no answer said so: ${(error as Error).message}. If what it named still runs after the wait, change triggers to revoke again`,
    };
  }
  const { url, response } = sent;
  const result = unwrap(operation, url, response);
  const done = {
    outcome: "terminated" as const,
    requestId: response.requestId,
    details: recorded(plan?.targets ?? []),
  };
  if (result.ok) return done;
  if (result.error.code === codes.nothingToRevoke) {
    // The read showed a task, so this is no unknown subscription: an earlier attempt whose answer
    // was lost did the revoke, or what ran has finished since the read.
    if (response.uncertainAttempts > 0) return done;
    return nothingRunning(
      inputs,
      `${subject}: what ran when read has finished since: ${result.error.message}`,
      recorded([]),
      response.requestId,
    );
  }
  throw result.error;
}

/**
 * The read create makes before the revoke: what runs, in which tasks. A subscription without a task
 * (or unknown) fails here with NodeMan's 3800003, before anything is sent; undefined when a NodeMan
 * that ignores need_aggregate_all_tasks says its newest task is not ready (then only a revoke
 * without a list, which names no finished host, may go out).
 */
async function readBeforeRevoke(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
  subject: string,
): Promise<SeenInstance[] | undefined> {
  const seen = await readInstances(inputs, settings, session);
  if (!seen && inputs.instanceIds)
    throw new TerminationError(
      `${subject}: its newest task is not ready yet (code ${codes.taskNotReady}), so which of instanceIds run cannot be told; nothing was sent (a revoke with a list marks finished hosts FAILED too). Run \`pulumi up\` again shortly, or leave instanceIds out to revoke whatever runs.`,
    );
  return seen;
}

function nothingRunning(
  inputs: NodemanTaskTerminationInputs,
  what: string,
  details: NodemanDetails,
  requestId?: string,
): StartResult<NodemanDetails> {
  if (inputs.whenNothingRunning === "fail")
    throw new TerminationError(
      `${what} (code ${codes.nothingToRevoke}: nothing to revoke). Set whenNothingRunning: "succeed" to accept a subscription with nothing running.`,
    );
  return { outcome: "nothing-running", ...(requestId && { requestId }), details };
}

function instanceStatuses(seen: SeenInstance[], revoked: Set<string>): InstanceStatus[] {
  return seen.map(({ instanceId, status, taskId }) => ({
    instanceId,
    status,
    ...(taskId !== undefined && { taskId }),
    ...(revoked.has(instanceId) && { revoked: true as const }),
  }));
}

/** "a, b, c and 4 more": long id lists stay readable in messages. */
function someOf(ids: string[], shown = 5): string {
  const head = ids.slice(0, shown).join(", ");
  return ids.length > shown ? `${head} and ${ids.length - shown} more` : head;
}

/** What a reader should know beside the counts: listed ids NodeMan does not show, statuses it does not document. */
function notes(inputs: NodemanTaskTerminationInputs, instances: SeenInstance[]): string {
  const seen = new Set(instances.map((i) => i.instanceId));
  const missing = [...new Set(inputs.instanceIds ?? [])].filter((id) => !seen.has(id));
  const odd = [
    ...new Set(
      instances.flatMap((i) => [i.status, ...i.steps]).filter((s) => !documentedStatuses.includes(s)),
    ),
  ];
  return (
    (missing.length
      ? ` (${missing.length} listed instance(s) not in the subscription: ${someOf(missing)})`
      : "") + (odd.length ? ` (undocumented status ${odd.join(", ")}: not counted as running)` : "")
  );
}

/**
 * Why a revoked instance may not stop: NodeMan's revoke force-fails the pipeline of a task that has
 * none of its own (an old task or an agent install) instead of marking the records FAILED.
 */
function withoutPipeline(running: SeenInstance[]): string {
  const tasks = [...new Set(running.filter((i) => i.pipelineId === "").map((i) => i.taskId ?? "?"))];
  return tasks.length
    ? ` (task ${tasks.join(", ")} has no pipeline, an old task or an agent install: NodeMan's revoke force-fails such a task instead of marking its records FAILED, so they may read RUNNING until it ends; stop it in NodeMan if it does not)`
    : "";
}

/**
 * The tasks to watch: those of the instances the revoke acted on, and with instanceIds those of
 * every listed one, so that a task started since is not mistaken for ours. A record without them
 * (nothing revoked, or written by an earlier version) reads the latest record of each instance.
 */
function viewOf(record: NodemanTaskTerminationInputs & NodemanDetails): RecordsView {
  const taskIds = [
    ...new Set(
      (record.instances ?? [])
        .filter((i) => i.taskId !== undefined && (record.instanceIds || i.revoked))
        .map((i) => i.taskId as number),
    ),
  ].sort((a, b) => a - b);
  return taskIds.length ? { taskIds } : { latest: true };
}

async function poll(
  record: NodemanTaskTerminationInputs & NodemanDetails,
  settings: NodemanSettings,
  session: Session,
): Promise<PollResult<NodemanDetails>> {
  const instances = await readInstances(record, settings, session, viewOf(record));
  if (!instances) return { stopped: false, summary: "task not ready yet", details: {} };
  const revoked = new Set((record.instances ?? []).filter((i) => i.revoked).map((i) => i.instanceId));
  // What the revoke acted on is waited on; a record without that (an earlier version's) waits on all.
  const watched = revoked.size ? instances.filter((i) => revoked.has(i.instanceId)) : instances;
  const running = watched.filter(isRunning);
  const total = revoked.size || instances.length;
  return {
    stopped: running.length === 0,
    summary: `${running.length} of ${total} instance(s) still running${notes(record, instances)}${withoutPipeline(running)}`,
    details: { instances: instanceStatuses(instances, revoked) },
  };
}

async function preflight(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<PreflightResult> {
  const subject = subjectOf(inputs, settings);
  let seen: SeenInstance[] | undefined;
  try {
    seen = await readInstances(inputs, settings, session);
  } catch (error) {
    if (isApiError(error) && error.code === codes.noTask) {
      return {
        found: false,
        property: "subscriptionId",
        reason: `${subject} has no task or does not exist: ${error.message}`,
      };
    }
    throw error;
  }
  if (!seen)
    return { found: true, message: `${subject}: task not ready yet; the revoke applies to what runs then` };
  return { found: true, message: `${subject}: ${describePlan(inputs, seen, planRevoke(inputs, seen))}` };
}

/**
 * `pulumi import`: `nodeman/<subscriptionId>` names every instance, and
 * `nodeman/<subscriptionId>/<instanceId>,<instanceId>,…` names instanceIds. What the subscription's
 * latest tasks show is recorded, no instance marked revoked: this stack revoked none.
 */
const importing: ImportSupport<NodemanTaskTerminationInputs, NodemanSettings, NodemanDetails> = {
  kind: "nodeman",
  forms: ["nodeman/<subscriptionId>", "nodeman/<subscriptionId>/<instanceId>,<instanceId>,…"],
  pathFields: ["subscriptionId", "instanceIds"],
  parse(path) {
    const [subscription, instances, ...rest] = path.split("/");
    if (rest.length > 0) return `it has ${rest.length + 2} parts after nodeman/, not 1 or 2`;
    if (!/^[1-9]\d{0,15}$/.test(subscription))
      return `the subscription id ${JSON.stringify(subscription)} is not a positive integer`;
    const subscriptionId = Number(subscription);
    if (instances === undefined) return { subscriptionId };
    const instanceIds = idList(instances, "instance id");
    return typeof instanceIds === "string" ? instanceIds : { subscriptionId, instanceIds };
  },
  async observe(inputs, settings, session) {
    const subject = subjectOf(inputs, settings);
    const seen = await readInstances(inputs, settings, session);
    if (!seen)
      throw new TerminationError(
        `${subject}: its newest task is not ready yet (code ${codes.taskNotReady}), so what it did cannot be told; nothing was sent. Import again shortly.`,
      );
    const { targets, missing } = planRevoke(inputs, seen);
    if (missing.length > 0)
      throw new TerminationError(
        `${subject}: instanceIds ${someOf(missing)} are not in the subscription, so there is nothing of theirs to import; nothing was sent.`,
      );
    if (targets.length > 0)
      throw stillRunning(subject, someOf(targets.map((i) => `${i.instanceId} (${i.status})`)), "revoke");
    return {
      outcome: "nothing-running",
      details: {
        resolvedRoute: settings.route,
        instances: instanceStatuses(seen, new Set()),
        ...(inputs.instanceIds && { skippedInstanceIds: [...new Set(inputs.instanceIds)] }),
      },
    };
  },
};

export const nodemanTarget: Target<NodemanTaskTerminationInputs, NodemanSettings, NodemanDetails> = {
  typeName: "NodemanTaskTermination",
  fields: nodemanFields,
  outputs: nodemanOutputs,
  checkSettings,
  resolveSettings,
  describe: describeTargets,
  idPrefix: (inputs) => `nodeman/${inputs.subscriptionId}`,
  terminate,
  poll,
  preflight,
  // After a revoke, "no task" means the subscription (or a task it acted on) was deleted since.
  isGone: (error) => isApiError(error) && error.code === codes.noTask,
  isCredentialsRefused,
  importing,
};

/** The provider object behind NodemanTaskTermination; drive it directly with plain inputs in tests. */
export const nodemanTaskTerminationProvider = new TerminationProvider(
  nodemanTarget,
) satisfies ResourceProvider<NodemanTaskTerminationInputs, NodemanTaskTerminationOutputs>;
