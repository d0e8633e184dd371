import * as pulumi from "@pulumi/pulumi";
import { MrsJobTermination } from "pulumi-termination";

const config = new pulumi.Config();

// Preview shows the kill; `pulumi up` sends it, then waits until the job is KILLED (or finished).
const kill = new MrsJobTermination("stop-nightly-etl", {
  clusterId: config.require("clusterId"),
  jobExecutionId: config.require("jobExecutionId"),
  waitTimeoutSeconds: 600,
  // A job that already finished is fine: there is nothing left to stop.
  whenAlreadyFinished: "succeed",
});

export const outcome = kill.outcome;
export const jobState = kill.jobState;
export const requestId = kill.requestId;
