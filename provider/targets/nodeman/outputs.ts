/** What NodemanTaskTermination records beside its inputs. */
import type { TerminationRecord } from "../../core/contract";
import type { NodemanTaskTerminationInputs } from "./inputs.generated";

export interface InstanceStatus {
  instanceId: string;
  status: string;
}

/** The target's own outputs, every one optional. */
export interface NodemanDetails {
  /** The route actually used, after defaults. */
  resolvedRoute?: "apigw" | "esb";
  /** The last status seen of each targeted instance. */
  instances?: InstanceStatus[];
}

export interface NodemanTaskTerminationOutputs
  extends NodemanTaskTerminationInputs, TerminationRecord, NodemanDetails {}
