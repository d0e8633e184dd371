// The demo program (npm run demo runs it against the local emulator). It uses the built package
// the way a user's program does; credentials and endpoints come from stack config.
import * as pulumi from "@pulumi/pulumi";
import { MrsJobTermination, NodemanTaskTermination } from "pulumi-termination";

const config = new pulumi.Config();

const job = new MrsJobTermination("stop-nightly-etl", {
  clusterId: config.require("clusterId"),
  jobExecutionId: config.require("jobExecutionId"),
  waitTimeoutSeconds: 120,
});

const tasks = new NodemanTaskTermination("stop-agent-tasks", {
  subscriptionId: config.requireNumber("subscriptionId"),
  waitTimeoutSeconds: 120,
});

export const mrsOutcome = job.outcome;
export const mrsJobState = job.jobState;
export const nodemanOutcome = tasks.outcome;
export const nodemanInstances = tasks.instances;
