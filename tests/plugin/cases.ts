/**
 * One table of behaviours, run through both doors (behaviour.test.ts): a case is an emulator seed,
 * the settings, and steps, each with what it must give, and the requests the emulator must have
 * seen at the end. Reasons are matched by pattern: the plugin names its own provider settings
 * where the dynamic provider names stack config keys.
 */
import type { RouteName, SeedState } from "../../emulator";
import { UNKNOWN } from "../../provider/validation/fields";
import { baseSeed, bluekingConfig, clusterId, huaweiConfig } from "../helpers/fixtures";
import type { Props } from "./harness";
import type { ResourceType } from "./doors";

export type Step =
  | { op: "preview"; inputs: Props; failures?: { property: string; reason?: RegExp }[]; lines?: RegExp[] }
  | { op: "check"; olds?: "state"; inputs: Props; failures: { property: string; reason?: RegExp }[] }
  | { op: "diff"; inputs: Props; changes: boolean; replaces: string[] }
  /** `error` expects a failure; `incomplete` one that records the resource with these outputs. */
  | { op: "create"; inputs: Props; outs?: Props; error?: RegExp; incomplete?: Props; lines?: RegExp[] }
  | { op: "read"; outs: Props }
  | { op: "update"; inputs: Props; outs: Props }
  | { op: "delete"; lines?: RegExp[] };

export interface Case {
  name: string;
  type: ResourceType;
  /** Settings as flat config keys; the plugin gets them as its provider properties. */
  config: (url: string) => Record<string, string>;
  seed?: (seed: SeedState) => SeedState;
  steps: Step[];
  /** Requests per route the emulator saw, in all; routes left out are not checked. */
  requests: Partial<Record<RouteName, number>>;
}

const mrs = (url: string) => huaweiConfig(url);
const apigw = (url: string) => bluekingConfig(url, "apigw");
const running = { clusterId, jobExecutionId: "job-running" };

export const cases: Case[] = [
  {
    name: "MRS: previews the kill of a running job, then kills it and waits until KILLED",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "preview",
        inputs: running,
        lines: [/MRS job nightly-etl \(job-running\) RUNNING.* at 127\.0\.0\.1:\d+: will be killed/],
      },
      {
        op: "create",
        inputs: running,
        outs: {
          outcome: "terminated",
          jobState: "KILLED",
          jobResult: "KILLED",
          jobName: "nightly-etl",
          ...running,
        },
      },
      { op: "read", outs: { jobState: "KILLED", outcome: "terminated" } },
      { op: "delete", lines: [/nothing was sent/] },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "MRS: a job already finished is not killed",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "preview",
        inputs: { clusterId, jobExecutionId: "job-finished" },
        lines: [/already FINISHED at 127\.0\.0\.1:\d+: nothing to do/],
      },
      {
        op: "create",
        inputs: { clusterId, jobExecutionId: "job-finished" },
        outs: { outcome: "already-finished", jobState: "FINISHED" },
      },
    ],
    requests: { "mrs.kill": 0 },
  },
  {
    name: 'MRS: whenAlreadyFinished "fail" fails on a finished job, killing nothing',
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "create",
        inputs: { clusterId, jobExecutionId: "job-finished", whenAlreadyFinished: "fail" },
        error: /already finished: state FINISHED, result SUCCEEDED/,
      },
    ],
    requests: { "mrs.kill": 0 },
  },
  {
    name: "MRS: waitForTermination false records the request without waiting",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      { op: "create", inputs: { ...running, waitForTermination: false }, outs: { outcome: "requested" } },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "MRS: a selector kills what it matches when up runs",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "create",
        inputs: { clusterId, jobSelector: { jobName: "nightly-etl" } },
        outs: { outcome: "terminated", killedJobExecutionIds: ["job-running"] },
      },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "MRS: bad inputs fail the check, each naming its field, with no request",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "preview",
        inputs: { clusterId: "../c", jobExecutionId: "job-running", waitTimeoutSeconds: 0, colour: "red" },
        failures: [
          { property: "colour", reason: /unknown argument/ },
          { property: "clusterId", reason: /must be an id/ },
          { property: "waitTimeoutSeconds", reason: /between 1 and 86400/ },
        ],
      },
    ],
    requests: { "mrs.kill": 0, "mrs.get_job": 0, "mrs.list_jobs": 0 },
  },
  {
    name: "MRS: missing credentials fail the check, saying where to set them",
    type: "MrsJobTermination",
    config: (url) => ({ "huaweicloud:projectId": "p1", "huaweicloud:mrsEndpoint": url }),
    steps: [
      {
        op: "preview",
        inputs: running,
        failures: [{ property: "credentials", reason: /accessKey.*HW_ACCESS_KEY.*secretKey/ }],
      },
    ],
    requests: { "mrs.get_job": 0 },
  },
  {
    name: "MRS: a preview of a job that does not exist fails on jobExecutionId, killing nothing",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "preview",
        inputs: { clusterId, jobExecutionId: "no-such-job" },
        failures: [{ property: "jobExecutionId", reason: /does not exist/ }],
      },
    ],
    requests: { "mrs.kill": 0 },
  },
  {
    name: "MRS: values unknown during preview are neither errors nor read",
    type: "MrsJobTermination",
    config: mrs,
    steps: [{ op: "preview", inputs: { clusterId: UNKNOWN, jobExecutionId: UNKNOWN }, failures: [] }],
    requests: { "mrs.get_job": 0, "mrs.kill": 0 },
  },
  {
    name: "MRS: preflight false reads nothing during preview",
    type: "MrsJobTermination",
    config: mrs,
    steps: [{ op: "preview", inputs: { ...running, preflight: false }, failures: [] }],
    requests: { "mrs.get_job": 0 },
  },
  {
    name: "MRS: a wait that times out records the resource incomplete; the update resumes it without a second kill",
    type: "MrsJobTermination",
    config: mrs,
    seed: (seed) => ({ ...seed, mrsKillDelayMs: 2500 }),
    steps: [
      {
        op: "create",
        inputs: { ...running, waitTimeoutSeconds: 1 },
        error: /not stopped after waitTimeoutSeconds=1.*run `pulumi up` again/s,
        incomplete: { outcome: "requested", clusterId },
      },
      // A refresh keeps it incomplete, and so a change even with the same inputs (issue 16.2).
      { op: "read", outs: { outcome: "requested" } },
      { op: "diff", inputs: { ...running, waitTimeoutSeconds: 1 }, changes: true, replaces: [] },
      { op: "diff", inputs: { ...running, waitTimeoutSeconds: 30 }, changes: true, replaces: [] },
      {
        op: "update",
        inputs: { ...running, waitTimeoutSeconds: 30 },
        outs: { outcome: "terminated", jobState: "KILLED" },
      },
      { op: "diff", inputs: { ...running, waitTimeoutSeconds: 30 }, changes: false, replaces: [] },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "MRS: a wait left unended is accepted by waitForTermination: false, which ends the change",
    type: "MrsJobTermination",
    config: mrs,
    seed: (seed) => ({ ...seed, mrsKillDelayMs: 60_000 }),
    steps: [
      {
        op: "create",
        inputs: { ...running, waitTimeoutSeconds: 1 },
        error: /not stopped after waitTimeoutSeconds=1/,
        incomplete: { outcome: "requested" },
      },
      { op: "diff", inputs: { ...running, waitForTermination: false }, changes: true, replaces: [] },
      { op: "update", inputs: { ...running, waitForTermination: false }, outs: { outcome: "requested" } },
      { op: "read", outs: { outcome: "requested", jobState: "RUNNING" } },
      { op: "diff", inputs: { ...running, waitForTermination: false }, changes: false, replaces: [] },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "MRS: a batch kill that did not go through stays a change after a refresh, until an update completes it; the update sends no kill twice",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      {
        op: "create",
        inputs: { clusterId, jobExecutionIds: ["job-running", "job-finished"], whenAlreadyFinished: "fail" },
        error: /job-finished.*already finished.*whenAlreadyFinished/s,
        incomplete: {
          outcome: "requested",
          killedJobExecutionIds: ["job-running"],
          failedJobExecutionIds: ["job-finished"],
        },
      },
      { op: "read", outs: { outcome: "requested", failedJobExecutionIds: ["job-finished"] } },
      {
        op: "diff",
        inputs: { clusterId, jobExecutionIds: ["job-running", "job-finished"], whenAlreadyFinished: "fail" },
        changes: true,
        replaces: [],
      },
      // The user accepts the job that ended on its own: it is not killed, and not counted as killed.
      {
        op: "update",
        inputs: { clusterId, jobExecutionIds: ["job-running", "job-finished"] },
        outs: { outcome: "terminated", killedJobExecutionIds: ["job-running"], failedJobExecutionIds: [] },
      },
      {
        op: "diff",
        inputs: { clusterId, jobExecutionIds: ["job-running", "job-finished"] },
        changes: false,
        replaces: [],
      },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "MRS: a new target replaces; a new wait only updates",
    type: "MrsJobTermination",
    config: mrs,
    steps: [
      { op: "create", inputs: running, outs: { outcome: "terminated" } },
      { op: "diff", inputs: { ...running, waitTimeoutSeconds: 60 }, changes: true, replaces: [] },
      {
        op: "diff",
        inputs: { ...running, jobExecutionId: "job-accepted" },
        changes: true,
        replaces: ["jobExecutionId"],
      },
      { op: "diff", inputs: { ...running, triggers: ["again"] }, changes: true, replaces: ["triggers"] },
      { op: "diff", inputs: running, changes: false, replaces: [] },
    ],
    requests: { "mrs.kill": 1 },
  },
  {
    name: "NodeMan: previews and revokes the running tasks of a subscription through the gateway",
    type: "NodemanTaskTermination",
    config: apigw,
    steps: [
      {
        op: "preview",
        inputs: { subscriptionId: 42 },
        lines: [
          /subscription 42 via apigw at 127\.0\.0\.1:\d+: 3 of 4 instance\(s\) running will be revoked: host\|instance\|host\|1, /,
        ],
      },
      {
        op: "create",
        inputs: { subscriptionId: 42 },
        outs: { outcome: "terminated", resolvedRoute: "apigw", subscriptionId: 42 },
      },
    ],
    requests: { "nodeman.revoke": 1 },
  },
  {
    name: "NodeMan: a listed host that finished is named in the preview and left alone by the revoke",
    type: "NodemanTaskTermination",
    config: apigw,
    steps: [
      {
        op: "preview",
        inputs: { subscriptionId: 42, instanceIds: ["host|instance|host|4", "host|instance|host|2"] },
        lines: [
          /1 of 2 listed instance\(s\) running will be revoked: host\|instance\|host\|2; not running, left alone: host\|instance\|host\|4 \(SUCCESS\)/,
        ],
      },
      {
        op: "create",
        inputs: { subscriptionId: 42, instanceIds: ["host|instance|host|4", "host|instance|host|2"] },
        outs: { outcome: "terminated", skippedInstanceIds: ["host|instance|host|4"] },
      },
    ],
    requests: { "nodeman.revoke": 1 },
  },
  {
    name: "NodeMan: a multi-tenant gateway, reached with blueking:tenantId under system/",
    type: "NodemanTaskTermination",
    config: (url) => ({ ...apigw(url), "blueking:tenantId": "default" }),
    seed: (seed) => ({ ...seed, blueking: { ...seed.blueking, multiTenant: true } }),
    steps: [
      {
        op: "preview",
        inputs: { subscriptionId: 42 },
        lines: [/subscription 42 via apigw at 127\.0\.0\.1:\d+: 3 of 4 instance\(s\) running/],
      },
      { op: "create", inputs: { subscriptionId: 42 }, outs: { outcome: "terminated" } },
    ],
    requests: { "nodeman.revoke": 1 },
  },
  {
    name: "NodeMan: a subscription with nothing running terminates nothing",
    type: "NodemanTaskTermination",
    config: (url) => bluekingConfig(url, "esb"),
    steps: [
      {
        op: "create",
        inputs: { subscriptionId: 43 },
        outs: { outcome: "nothing-running", resolvedRoute: "esb" },
      },
    ],
    requests: {},
  },
  {
    name: "NodeMan: a malformed instance id and an unknown subscription fail before any revoke",
    type: "NodemanTaskTermination",
    config: apigw,
    steps: [
      {
        op: "preview",
        inputs: { subscriptionId: 42, instanceIds: ["host|instance"] },
        failures: [{ property: "instanceIds[0]" }],
      },
      {
        op: "preview",
        inputs: { subscriptionId: 999 },
        failures: [{ property: "subscriptionId", reason: /no task/ }],
      },
    ],
    requests: { "nodeman.revoke": 0 },
  },
  {
    name: "NodeMan: no endpoint configured fails the check on route",
    type: "NodemanTaskTermination",
    config: (url) => {
      const config = apigw(url);
      delete config["blueking:apigwUrlTemplate"];
      return config;
    },
    steps: [
      {
        op: "preview",
        inputs: { subscriptionId: 42 },
        failures: [{ property: "route", reason: /apigwUrlTemplate/ }],
      },
    ],
    requests: { "nodeman.task_result": 0 },
  },
];

export const seedFor = (c: Case) => (c.seed ?? ((s) => s))(baseSeed());
