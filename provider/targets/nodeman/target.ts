/**
 * NodemanTaskTermination: revoke the running tasks of a BlueKing NodeMan subscription
 * (`revoke_subscription`, docs/apis.md §1) through the ESB or the API gateway, then watch the
 * targeted instances stop. Business errors arrive as HTTP 200 with `result: false`; the gateway
 * refuses with 401 and `X-Bkapi-Error-*` headers.
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import type { PollResult, PreflightResult, Session, StartResult, Target } from "../../core/contract";
import { TerminationProvider } from "../../core/provider";
import { isApiError, TerminationError } from "../../errors";
import {
  call,
  documentedStatuses,
  isRunning,
  readInstances,
  runningStatuses,
  unwrap,
  type SeenInstance,
} from "./api";
import { codes } from "./codes";
import { nodemanFields } from "./fields";
import type { NodemanTaskTerminationInputs } from "./inputs.generated";
import type { NodemanDetails, NodemanTaskTerminationOutputs } from "./outputs.generated";
import { nodemanOutputs } from "./outputs";
import { checkSettings, resolveSettings, type NodemanSettings } from "./settings";

function describeTargets(inputs: NodemanTaskTerminationInputs): string {
  const count = inputs.instanceIds?.length;
  return `NodeMan subscription ${inputs.subscriptionId}${count ? ` (${count} instance${count > 1 ? "s" : ""})` : ""}`;
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
  const params: Record<string, unknown> = { subscription_id: inputs.subscriptionId };
  if (inputs.instanceIds) params.instance_id_list = inputs.instanceIds;
  const operation = `revoke the running tasks of subscription ${inputs.subscriptionId}`;
  const { url, response } = await call(session, settings, "revoke", operation, params);
  const result = unwrap(operation, url, response);
  const route = { resolvedRoute: settings.route };
  if (result.ok) return { outcome: "terminated", requestId: response.requestId, details: route };
  if (result.error.code === codes.nothingToRevoke) {
    // An earlier attempt whose answer was lost may have done the revoke itself.
    if (response.uncertainAttempts > 0)
      return { outcome: "terminated", requestId: response.requestId, details: route };
    if (inputs.whenNothingRunning === "fail") {
      throw new TerminationError(
        `${result.error.message}. Set whenNothingRunning: "succeed" to accept a subscription with nothing running.`,
      );
    }
    const seen = await poll(inputs, settings, session);
    return {
      outcome: "nothing-running",
      requestId: response.requestId,
      details: { ...route, ...seen.details },
    };
  }
  throw result.error;
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

async function poll(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<PollResult<NodemanDetails>> {
  const instances = await readInstances(inputs, settings, session);
  if (!instances) return { stopped: false, summary: "task not ready yet", details: {} };
  const running = instances.filter(isRunning);
  return {
    stopped: running.length === 0,
    summary: `${running.length} of ${instances.length} instance(s) still running${notes(inputs, instances)}`,
    details: { instances: instances.map(({ instanceId, status }) => ({ instanceId, status })) },
  };
}

async function preflight(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<PreflightResult> {
  const subject = `NodeMan subscription ${inputs.subscriptionId}`;
  let instances: SeenInstance[] | undefined;
  try {
    instances = await readInstances(inputs, settings, session);
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
  if (!instances)
    return { found: true, message: `${subject}: task not ready yet; the revoke applies to what runs then` };
  const n = instances.length;
  // The revoke acts on PENDING/RUNNING records; a FAILED one whose step still runs is already stopping.
  const active = instances.filter((i) => runningStatuses.includes(i.status)).length;
  const stopping = instances.filter(isRunning).length - active;
  const stoppingText = `${stopping} of ${n} instances still stopping (a step reads RUNNING)`;
  const what =
    active > 0
      ? `${active} of ${n} instances RUNNING will be revoked${stopping ? `; ${stoppingText}` : ""}`
      : stopping > 0
        ? `nothing to revoke; ${stoppingText}`
        : "nothing running: nothing to do";
  return { found: true, message: `${subject}: ${what}${notes(inputs, instances)}` };
}

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
  // After a revoke, "no task" means the subscription was deleted since.
  isGone: (error) => isApiError(error) && error.code === codes.noTask,
};

/** The provider object behind NodemanTaskTermination; drive it directly with plain inputs in tests. */
export const nodemanTaskTerminationProvider = new TerminationProvider(
  nodemanTarget,
) satisfies ResourceProvider<NodemanTaskTerminationInputs, NodemanTaskTerminationOutputs>;
