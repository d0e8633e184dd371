import * as pulumi from "@pulumi/pulumi";
import { listMrsJobsOutput, MrsJobTermination } from "pulumi-termination";

const config = new pulumi.Config();
const clusterId = config.require("clusterId");
const sixHours = 6 * 60 * 60 * 1000;

// A read-only lookup, run on every preview and up: the RUNNING jobs of that name...
const running = listMrsJobsOutput({ clusterId, jobName: config.require("jobName"), jobStates: ["RUNNING"] });

// ...of which those started more than six hours ago.
const staleIds = running.apply((jobs) =>
  jobs
    .filter((job) => job.startedTime !== undefined && Date.now() - job.startedTime > sixHours)
    .map((job) => job.jobExecutionId)
    .sort(),
);

// A different set of stale jobs replaces the resource, which kills the new set; an empty set kills nothing.
const kill = new MrsJobTermination("stop-stale-jobs", { clusterId, jobExecutionIds: staleIds });

export const killed = kill.killedJobExecutionIds;
export const jobs = kill.jobs;
