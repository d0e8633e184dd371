/**
 * The bad-input table: every malformed input is refused by `check` with a failure
 * naming the field, and the emulator receives nothing.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { bluekingConfig, baseSeed, huaweiConfig, testProvider } from "../helpers/fixtures";

const mrs = { clusterId: "cluster-1", jobExecutionId: "job-running" };
const nodeman = { subscriptionId: 42 };
const huge = 2 ** 60;

/** [resource, inputs, the property the failure must name]. */
const cases: ["mrs" | "nodeman", Record<string, unknown>, string][] = [
  // MRS: types, emptiness, ids that would escape their path segment
  ["mrs", { jobExecutionId: "j" }, "clusterId"],
  ["mrs", { clusterId: "c" }, "jobExecutionId"],
  ["mrs", { ...mrs, clusterId: 42 }, "clusterId"],
  ["mrs", { ...mrs, clusterId: "" }, "clusterId"],
  ["mrs", { ...mrs, clusterId: "   " }, "clusterId"],
  ["mrs", { ...mrs, clusterId: "a/b" }, "clusterId"],
  ["mrs", { ...mrs, clusterId: ".." }, "clusterId"],
  ["mrs", { ...mrs, jobExecutionId: "../kill" }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: "job?x=1" }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: "job#frag" }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: "job%2Fkill" }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: "job 1" }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: "作业" }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: "x".repeat(200) }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: ["job"] }, "jobExecutionId"],
  ["mrs", { ...mrs, jobExecutionId: { id: "job" } }, "jobExecutionId"],
  ["mrs", { ...mrs, projectId: "p/../q" }, "projectId"],
  ["mrs", { ...mrs, projectId: 7 }, "projectId"],
  ["mrs", { ...mrs, region: "North China 4" }, "region"],
  ["mrs", { ...mrs, region: "cn-north-4/../x" }, "region"],
  ["mrs", { ...mrs, endpoint: "ftp://mrs.example.com" }, "endpoint"],
  ["mrs", { ...mrs, endpoint: "not a url" }, "endpoint"],
  ["mrs", { ...mrs, endpoint: "https://user:pw@mrs.example.com" }, "endpoint"],
  ["mrs", { ...mrs, endpoint: "https://mrs.example.com/?x=1" }, "endpoint"],
  ["mrs", { ...mrs, waitTimeoutSeconds: -5 }, "waitTimeoutSeconds"],
  ["mrs", { ...mrs, waitTimeoutSeconds: 0 }, "waitTimeoutSeconds"],
  ["mrs", { ...mrs, waitTimeoutSeconds: huge }, "waitTimeoutSeconds"],
  ["mrs", { ...mrs, waitTimeoutSeconds: 1.5 }, "waitTimeoutSeconds"],
  ["mrs", { ...mrs, waitTimeoutSeconds: "300" }, "waitTimeoutSeconds"],
  ["mrs", { ...mrs, waitForTermination: "yes" }, "waitForTermination"],
  ["mrs", { ...mrs, whenAlreadyFinished: "sucess" }, "whenAlreadyFinished"],
  ["mrs", { ...mrs, whenAlreadyFinished: "Succeed" }, "whenAlreadyFinished"],
  ["mrs", { ...mrs, triggers: "now" }, "triggers"],
  ["mrs", { ...mrs, maxJobs: 0 }, "maxJobs"],
  ["mrs", { ...mrs, maxJobs: -1 }, "maxJobs"],
  ["mrs", { ...mrs, maxJobs: 1.5 }, "maxJobs"],
  ["mrs", { ...mrs, maxJobs: 1001 }, "maxJobs"],
  ["mrs", { ...mrs, maxJobs: "10" }, "maxJobs"],
  ["mrs", { ...mrs, jobId: "job-running" }, "jobId"],
  ["mrs", { ...mrs, secretKey: "inline" }, "secretKey"],
  // MRS job names: letters, digits, - and _, 1 to 128 (the SDKs' doc of the list's job_name)
  ["mrs", { clusterId: "cluster-1", jobSelector: { jobName: "nightly etl" } }, "jobSelector.jobName"],
  ["mrs", { clusterId: "cluster-1", jobSelector: { jobName: "etl.v2" } }, "jobSelector.jobName"],
  ["mrs", { clusterId: "cluster-1", jobSelector: { jobName: "x".repeat(129) } }, "jobSelector.jobName"],
  // NodeMan
  ["nodeman", {}, "subscriptionId"],
  ["nodeman", { subscriptionId: "42" }, "subscriptionId"],
  ["nodeman", { subscriptionId: 0 }, "subscriptionId"],
  ["nodeman", { subscriptionId: -1 }, "subscriptionId"],
  ["nodeman", { subscriptionId: 4.2 }, "subscriptionId"],
  ["nodeman", { subscriptionId: huge }, "subscriptionId"],
  ["nodeman", { subscriptionId: null }, "subscriptionId"],
  ["nodeman", { ...nodeman, instanceIds: "host|instance|host|1" }, "instanceIds"],
  ["nodeman", { ...nodeman, instanceIds: [] }, "instanceIds"],
  ["nodeman", { ...nodeman, instanceIds: [1] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: [""] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["HOST|instance|host|1"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|1", "host|static|host|2"] }, "instanceIds[1]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|../1"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|1?x"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|1#"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|%31"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|1 "] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|主机"] }, "instanceIds[0]"],
  ["nodeman", { ...nodeman, instanceIds: ["host|instance|host|300.1.1.1-0-0"] }, "instanceIds[0]"],
  [
    "nodeman",
    { ...nodeman, instanceIds: ["host|instance|host|1", "host|instance|host|1"] },
    "instanceIds[1]",
  ],
  ["nodeman", { ...nodeman, route: "gateway" }, "route"],
  ["nodeman", { ...nodeman, route: "APIGW" }, "route"],
  ["nodeman", { ...nodeman, stage: "prod/../test" }, "stage"],
  ["nodeman", { ...nodeman, stage: "" }, "stage"],
  ["nodeman", { ...nodeman, whenNothingRunning: "ignore" }, "whenNothingRunning"],
  ["nodeman", { ...nodeman, waitTimeoutSeconds: 100_000 }, "waitTimeoutSeconds"],
  ["nodeman", { ...nodeman, instance_id_list: ["host|instance|host|1"] }, "instance_id_list"],
  ["nodeman", { ...nodeman, appSecret: "inline" }, "appSecret"],
];

/**
 * Settings from stack config or the environment: [resource, stack config added (undefined removes
 * a key), environment, the property the failure must name, the setting and source its reason names].
 */
const settingCases: [
  "mrs" | "nodeman",
  Record<string, string | undefined>,
  Record<string, string>,
  string,
  string,
][] = [
  // Integer settings are integers from 1: "0.5" used to hang create forever.
  [
    "mrs",
    { "termination:maxConcurrency": "0.5" },
    {},
    "maxConcurrency",
    "`termination:maxConcurrency` (stack config)",
  ],
  [
    "mrs",
    { "termination:maxConcurrency": "0" },
    {},
    "maxConcurrency",
    "`termination:maxConcurrency` (stack config)",
  ],
  [
    "mrs",
    {},
    { TERMINATION_MAX_CONCURRENCY: "0.5" },
    "maxConcurrency",
    "`TERMINATION_MAX_CONCURRENCY` (environment)",
  ],
  [
    "mrs",
    {},
    { TERMINATION_MAX_CONCURRENCY: "1001" },
    "maxConcurrency",
    "`TERMINATION_MAX_CONCURRENCY` (environment)",
  ],
  [
    "nodeman",
    { "termination:maxAttempts": "1.5" },
    {},
    "maxAttempts",
    "`termination:maxAttempts` (stack config)",
  ],
  ["mrs", { "termination:maxAttempts": "-1" }, {}, "maxAttempts", "`termination:maxAttempts` (stack config)"],
  ["mrs", {}, { TERMINATION_MAX_ATTEMPTS: "1e1" }, "maxAttempts", "`TERMINATION_MAX_ATTEMPTS` (environment)"],
  ["mrs", {}, { TERMINATION_MAX_ATTEMPTS: " 5" }, "maxAttempts", "`TERMINATION_MAX_ATTEMPTS` (environment)"],
  [
    "mrs",
    { "termination:requestTimeoutSeconds": "0" },
    {},
    "requestTimeoutSeconds",
    "`termination:requestTimeoutSeconds` (stack config)",
  ],
  [
    "nodeman",
    {},
    { TERMINATION_REQUEST_TIMEOUT_SECONDS: "0x10" },
    "requestTimeoutSeconds",
    "`TERMINATION_REQUEST_TIMEOUT_SECONDS` (environment)",
  ],
  [
    "mrs",
    { "termination:maxRetrySeconds": "Infinity" },
    {},
    "maxRetrySeconds",
    "`termination:maxRetrySeconds` (stack config)",
  ],
  [
    "mrs",
    {},
    { TERMINATION_MAX_RETRY_SECONDS: "86401" },
    "maxRetrySeconds",
    "`TERMINATION_MAX_RETRY_SECONDS` (environment)",
  ],
  [
    "mrs",
    { "termination:insecureSkipTlsVerify": "yes" },
    {},
    "insecureSkipTlsVerify",
    "`termination:insecureSkipTlsVerify` (stack config)",
  ],
  [
    "mrs",
    { "termination:caBundle": "/nonexistent/ca.pem" },
    {},
    "caBundle",
    "`termination:caBundle` (stack config)",
  ],
  ["nodeman", {}, { TERMINATION_PREFLIGHT: "no" }, "preflight", "`TERMINATION_PREFLIGHT` (environment)"],
  // A region, cloud or endpoint is checked whatever its source: "cn-north-4 " ended in a bare TypeError,
  // "cn-north-4/x" sent the token to host mrs.cn-north-4.
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:region": "cn-north-4 " },
    {},
    "region",
    "`huaweicloud:region` (stack config)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:region": "cn-north-4/x" },
    {},
    "region",
    "`huaweicloud:region` (stack config)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:region": undefined },
    { HW_REGION_NAME: "cn-north-4/x" },
    "region",
    "`HW_REGION_NAME` (environment)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:region": undefined },
    { HW_REGION_NAME: "cn-north-4@evil.example" },
    "region",
    "`HW_REGION_NAME` (environment)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:cloud": "example.com/x" },
    {},
    "cloud",
    "`huaweicloud:cloud` (stack config)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:cloud": "example.com " },
    {},
    "cloud",
    "`huaweicloud:cloud` (stack config)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:region": undefined },
    { HW_CLOUD: "evil.example:8080" },
    "cloud",
    "`HW_CLOUD` (environment)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": "ftp://mrs.example.com" },
    {},
    "endpoint",
    "`huaweicloud:mrsEndpoint` (stack config)",
  ],
  [
    "mrs",
    { "huaweicloud:mrsEndpoint": undefined, "huaweicloud:region": undefined },
    { HW_MRS_ENDPOINT: "https://u:p@mrs.example.com" },
    "endpoint",
    "`HW_MRS_ENDPOINT` (environment)",
  ],
  ["mrs", { "huaweicloud:projectId": "p/../q" }, {}, "projectId", "`huaweicloud:projectId` (stack config)"],
  [
    "nodeman",
    { "blueking:apigwUrlTemplate": "not a url/{api_name}" },
    {},
    "route",
    "`blueking:apigwUrlTemplate` (stack config)",
  ],
];

describe("bad-input table: check refuses, names the field, sends nothing", () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });
  after(async () => {
    await emulator.close();
  });

  it(`holds at least 50 cases (${cases.length} inputs, ${settingCases.length} settings)`, () =>
    expect(cases.length).to.be.at.least(50));

  for (const [resource, inputs, property] of cases) {
    it(`${resource} ${JSON.stringify(inputs).slice(0, 90)} → ${property}`, async () => {
      const { provider } =
        resource === "mrs"
          ? await testProvider(mrsTarget, huaweiConfig(emulator.url))
          : await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      const failures = (await provider.check({}, inputs)).failures ?? [];
      expect(failures.map(failureName)).to.include(property);
      for (const failure of failures) expect(failure.reason).to.be.a("string").with.length.above(5);
      expect(emulator.requests()).to.deep.equal([]);
    });
  }

  for (const [resource, configChanges, env, property, origin] of settingCases) {
    it(`${resource} settings ${JSON.stringify({ ...configChanges, ...env }).slice(0, 80)} → ${property}`, async () => {
      const base = resource === "mrs" ? huaweiConfig(emulator.url) : bluekingConfig(emulator.url, "apigw");
      const config: Record<string, string> = { ...base };
      for (const [key, value] of Object.entries(configChanges)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
      }
      const result =
        resource === "mrs"
          ? await (await testProvider(mrsTarget, config, { env })).provider.check({}, mrs)
          : await (await testProvider(nodemanTarget, config, { env })).provider.check({}, nodeman);
      const failures = result.failures ?? [];
      const failure = failures.find((f) => failureName(f) === property);
      expect(failure, JSON.stringify(failures)).not.to.equal(undefined);
      expect(failure?.reason).to.include(origin);
      expect(emulator.requests()).to.deep.equal([]);
    });
  }

  it("a missing project id fails without config and passes with the config fallback", async () => {
    const config = huaweiConfig(emulator.url);
    delete config["huaweicloud:projectId"];
    const bare = await testProvider(mrsTarget, config);
    expect(((await bare.provider.check({}, mrs)).failures ?? []).map(failureName)).to.deep.equal([
      "projectId",
    ]);
    const withEnv = await testProvider(mrsTarget, config, { env: { HW_PROJECT_ID: "p1" } });
    expect((await withEnv.provider.check({}, { ...mrs, preflight: false })).failures).to.deep.equal([]);
    const withArgument = await testProvider(mrsTarget, config);
    expect(
      (await withArgument.provider.check({}, { ...mrs, projectId: "p1", preflight: false })).failures,
    ).to.deep.equal([]);
    expect(emulator.requests()).to.deep.equal([]);
  });

  it("a missing NodeMan endpoint fails without config and passes with the environment", async () => {
    const config = bluekingConfig(emulator.url, "apigw");
    delete config["blueking:apigwUrlTemplate"];
    const bare = await testProvider(nodemanTarget, config);
    expect(((await bare.provider.check({}, nodeman)).failures ?? []).map(failureName)).to.deep.equal([
      "route",
    ]);
    const withEnv = await testProvider(nodemanTarget, config, {
      env: { BK_COMPONENT_API_URL: emulator.url },
    });
    expect((await withEnv.provider.check({}, nodeman)).failures).to.deep.equal([]);
  });
});
