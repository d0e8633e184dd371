/** What MrsJobTermination records beside its inputs. */
import type { TerminationRecord } from "../../core/contract";
import type { MrsJobTerminationInputs } from "./inputs.generated";

export interface MrsJobState {
  jobExecutionId: string;
  jobName?: string;
  jobState?: string;
  jobResult?: string;
  /** Set by a refresh that found this job deleted; the rest is as last seen. */
  gone?: true;
}

/** The target's own outputs, every one optional. */
export interface MrsDetails {
  /** Every job this termination covers, as last seen. */
  jobs?: MrsJobState[];
  /** The jobs a kill was sent to. */
  killedJobExecutionIds?: string[];
  /** The jobs whose kill did not go through (or, with whenAlreadyFinished "fail", that had finished): the next `pulumi up` retries them. */
  failedJobExecutionIds?: string[];
  /** Of failedJobExecutionIds, the kills that may have reached MRS although no answer said so: a job among them found KILLED by the next `pulumi up` counts as killed. */
  uncertainJobExecutionIds?: string[];
  /** With jobExecutionId: that job, as last seen. */
  jobName?: string;
  jobState?: string;
  jobResult?: string;
}

export interface MrsJobTerminationOutputs extends MrsJobTerminationInputs, TerminationRecord, MrsDetails {}
