/**
 * Settings precedence: resource argument > stack config > environment. A lower
 * source never overrides a higher one, and for settings that go together (how to authenticate,
 * where the API is) never mixes into what the higher one chose. Each test lets the higher source's
 * choice reach the emulator, while the lower source's would not (a closed port, unknown keys).
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import type { Emulator } from "../../emulator";
import { resolveMrsSettings } from "../../provider/targets/mrs/settings";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import {
  accessKey,
  bluekingConfig,
  caught,
  clusterId,
  emulatorPerTest,
  huaweiConfig,
  projectId,
  secrets,
  testProvider,
} from "../helpers/fixtures";

/** Nothing listens here: a request sent to it fails with connection refused. */
const closed = "http://127.0.0.1:1";
const noWait = { clusterId, jobExecutionId: "job-running", waitForTermination: false, preflight: false };
const context = (config: Record<string, string>, env: Record<string, string> = {}) => ({
  config: { get: (key: string) => config[key] },
  env,
});

describe("settings precedence: argument > stack config > environment, groups decided whole", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  describe("how to authenticate (MRS)", () => {
    it("an IAM token in stack config is used, not AK/SK from the environment", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url, "token"), {
        // A valid pair: were they used, the kill would be signed with them instead of the token.
        env: { HW_ACCESS_KEY: accessKey, HW_SECRET_KEY: secrets.secretKey },
      });
      expect((await provider.check({}, noWait)).failures).to.deep.equal([]);
      const { outs } = await provider.create(noWait);
      expect(outs.outcome).to.equal("requested");
      const kill = emulator.requests({ route: "mrs.kill" });
      expect(kill).to.have.length(1);
      expect(Object.keys(kill[0].headers).map((h) => h.toLowerCase())).to.include("x-auth-token");
      expect(Object.keys(kill[0].headers).map((h) => h.toLowerCase())).not.to.include("authorization");
    });

    it("the reproduced case: token in stack config, a wrong AK/SK in the environment, still signs with the token", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url, "token"), {
        env: { HW_ACCESS_KEY: "HWAKUNKNOWNKEY000001", HW_SECRET_KEY: "not-the-secret" },
      });
      const { outs } = await provider.create(noWait);
      expect(outs.outcome).to.equal("requested");
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("an access key in stack config does not take its secret key from the environment", async () => {
      const config = huaweiConfig(emulator.url);
      delete config["huaweicloud:secretKey"];
      const { provider } = await testProvider(mrsTarget, config, {
        env: { HW_SECRET_KEY: secrets.secretKey },
      });
      const failures = (await provider.check({}, noWait)).failures ?? [];
      expect(failures.map(failureName)).to.deep.equal(["credentials"]);
      expect(failures[0].reason).to.match(/`huaweicloud:accessKey` \(stack config\) is set/);
      expect(failures[0].reason).to.include("huaweicloud:secretKey");
      expect(failures[0].reason).not.to.include(secrets.secretKey);
      expect(emulator.requests()).to.deep.equal([]);
    });

    it("AK/SK in the environment are used when stack config sets no credentials", async () => {
      const config = huaweiConfig(emulator.url);
      delete config["huaweicloud:accessKey"];
      delete config["huaweicloud:secretKey"];
      const { provider } = await testProvider(mrsTarget, config, {
        env: { HW_ACCESS_KEY: accessKey, HW_SECRET_KEY: secrets.secretKey, HW_AUTH_TOKEN: "unused" },
      });
      expect((await provider.create(noWait)).outs.outcome).to.equal("requested");
    });
  });

  describe("where the API is (MRS)", () => {
    it("a resource region decides the endpoint: HW_MRS_ENDPOINT in the environment is not used", () => {
      const settings = resolveMrsSettings(
        { region: "cn-north-4", projectId },
        context(huaweiConfig(emulator.url, "token"), { HW_MRS_ENDPOINT: closed }),
      );
      // Stack config's endpoint is a lower source than the argument too.
      expect(settings.endpoint.toString()).to.equal("https://mrs.cn-north-4.myhuaweicloud.com/");
    });

    it("a stack config region decides the endpoint; the environment's endpoint and cloud do not mix in", () => {
      const config = huaweiConfig(emulator.url, "token");
      delete config["huaweicloud:mrsEndpoint"];
      const settings = resolveMrsSettings(
        { projectId },
        context(config, { HW_MRS_ENDPOINT: closed, HW_CLOUD: "example.com" }),
      );
      expect(settings.endpoint.toString()).to.equal("https://mrs.cn-north-4.myhuaweicloud.com/");
    });

    it("check does not read a malformed endpoint from a lower source than the one that decided", async () => {
      const config = huaweiConfig(emulator.url, "token");
      delete config["huaweicloud:mrsEndpoint"];
      const { provider } = await testProvider(mrsTarget, config, { env: { HW_MRS_ENDPOINT: "not a url" } });
      expect((await provider.check({}, noWait)).failures).to.deep.equal([]);
    });

    it("the stack config endpoint reaches the emulator; the environment's region and endpoint are ignored", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url, "token"), {
        env: { HW_MRS_ENDPOINT: closed, HW_REGION_NAME: "cn-south-1" },
      });
      expect((await provider.create(noWait)).outs.outcome).to.equal("requested");
    });

    it("all three sources at once: the argument's endpoint wins over stack config and environment", async () => {
      const config = { ...huaweiConfig(emulator.url, "token"), "huaweicloud:mrsEndpoint": closed };
      const { provider } = await testProvider(mrsTarget, config, {
        env: { HW_MRS_ENDPOINT: closed, HW_REGION_NAME: "cn-south-1", HW_PROJECT_ID: "other-project" },
      });
      const { outs } = await provider.create({ ...noWait, endpoint: emulator.url });
      expect(outs.outcome).to.equal("requested");
      // The project id stands alone: stack config's, not the environment's.
      expect(emulator.requests({ route: "mrs.kill" })[0].path).to.include(projectId);
    });
  });

  describe("where the API is (NodeMan)", () => {
    it("stack config's esbUrl decides: BK_API_URL_TMPL in the environment does not switch to the gateway", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"), {
        env: { BK_API_URL_TMPL: `${closed}/api/{api_name}` },
      });
      const inputs = { subscriptionId: 42, waitForTermination: false, preflight: false };
      expect((await provider.check({}, inputs)).failures).to.deep.equal([]);
      const { outs } = await provider.create(inputs);
      expect(outs.resolvedRoute).to.equal("esb");
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
      expect(emulator.requests({ route: "nodeman.revoke" })[0].transport).to.equal("esb");
    });

    it('route: "apigw" with only an ESB in stack config fails check, naming where to set the template', async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"), {
        env: { BK_API_URL_TMPL: `${emulator.url}/api/{api_name}` },
      });
      const failures = (await provider.check({}, { subscriptionId: 42, route: "apigw" })).failures ?? [];
      expect(failures.map(failureName)).to.deep.equal(["route"]);
      expect(failures[0].reason)
        .to.match(/blueking:apigwUrlTemplate/)
        .and.match(/stack config/);
      expect(emulator.requests()).to.deep.equal([]);
    });

    it("a user token in stack config is used, not the environment's access token", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"), {
        env: { BK_ACCESS_TOKEN: "BK-ACCESS-TOKEN-not-valid" },
      });
      const { outs } = await provider.create({
        subscriptionId: 42,
        waitForTermination: false,
        preflight: false,
      });
      expect(outs.outcome).to.equal("requested");
    });
  });

  describe("preflight", () => {
    it("a resource's preflight: true beats termination:preflight=false", async () => {
      const { provider } = await testProvider(mrsTarget, {
        ...huaweiConfig(emulator.url, "token"),
        "termination:preflight": "false",
      });
      await provider.check({}, { clusterId, jobExecutionId: "job-running", preflight: true });
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(1);
      expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
    });

    it("stack config's preflight=true beats TERMINATION_PREFLIGHT=false; with neither argument nor config, the environment decides", async () => {
      const config = huaweiConfig(emulator.url, "token");
      const on = await testProvider(
        mrsTarget,
        { ...config, "termination:preflight": "true" },
        {
          env: { TERMINATION_PREFLIGHT: "false" },
        },
      );
      await on.provider.check({}, { clusterId, jobExecutionId: "job-running" });
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(1);
      const off = await testProvider(mrsTarget, config, { env: { TERMINATION_PREFLIGHT: "false" } });
      await off.provider.check({}, { clusterId, jobExecutionId: "job-running" });
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(1);
    });
  });

  it("toggling preflight is no change: diff reports none", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url, "token"));
    const olds = { clusterId, jobExecutionId: "job-running", preflight: true, outcome: "terminated" };
    for (const preflight of [false, undefined]) {
      const news = { clusterId, jobExecutionId: "job-running", preflight };
      expect(await provider.diff("id", olds, news)).to.include({ changes: false });
    }
  });

  describe("HTTP settings", () => {
    it("stack config's maxAttempts wins over the environment's", async () => {
      const { provider } = await testProvider(
        mrsTarget,
        { ...huaweiConfig(emulator.url, "token"), "termination:maxAttempts": "2" },
        { env: { TERMINATION_MAX_ATTEMPTS: "7" }, timeScale: 0.01 },
      );
      emulator.injectFault({ route: "mrs.get_job", times: -1, fault: { kind: "status", status: 503 } });
      const error = await caught(provider.create(noWait));
      expect(error.message).to.match(/after 2 attempts/);
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(2);
    });

    it('termination:maxConcurrency "0.5" fails check and create at once, never hangs', async function () {
      this.timeout(5_000);
      const { provider } = await testProvider(mrsTarget, {
        ...huaweiConfig(emulator.url, "token"),
        "termination:maxConcurrency": "0.5",
      });
      const failures = (await provider.check({}, noWait)).failures ?? [];
      expect(failures.map(failureName)).to.deep.equal(["maxConcurrency"]);
      expect(failures[0].reason).to.equal(
        'maxConcurrency: `termination:maxConcurrency` (stack config) must be an integer from 1 to 1000, got "0.5"',
      );
      const error = await caught(provider.create(noWait));
      expect(error.name).to.equal("ConfigurationError");
      expect(error.message).to.include("termination:maxConcurrency");
      expect(emulator.requests()).to.deep.equal([]);
    });
  });
});
