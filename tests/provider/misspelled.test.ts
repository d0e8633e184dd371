/**
 * A misspelled setting fails `check` rather than being ignored (issue 17.1): with
 * `huaweicloud:mrsEndPoint` the endpoint would otherwise fall back to the public cloud's.
 * The dynamic door, with the configuration the dynamic provider host hands over.
 */
import { expect } from "chai";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { yarnTarget } from "../../provider/targets/yarn/target";
import { accessKey, clusterId, projectId, secrets, testProvider } from "../helpers/fixtures";

const job = { clusterId, jobExecutionId: "job-running", preflight: false };
const endpoint = "http://127.0.0.1:1";

describe("a misspelled setting fails check (dynamic provider)", () => {
  it("huaweicloud:mrsEndPoint: check fails naming it and huaweicloud:mrsEndpoint, and nothing is read", async () => {
    const { provider, lines } = await testProvider(mrsTarget, {
      "huaweicloud:accessKey": accessKey,
      "huaweicloud:secretKey": secrets.secretKey,
      "huaweicloud:projectId": projectId,
      "huaweicloud:region": "cn-north-4",
      "huaweicloud:mrsEndPoint": endpoint,
    });
    const { failures } = await provider.check({}, { ...job, preflight: true });
    expect(failures).to.have.length(1);
    expect(failures?.[0].property).to.equal("");
    expect(failures?.[0].reason).to.match(
      /^`huaweicloud:mrsEndPoint` \(stack config\) is not a setting of pulumi-termination: did you mean stack config `huaweicloud:mrsEndpoint`\?/,
    );
    // The preflight is not reached: nothing goes to the public endpoint the typo would have left.
    expect(lines).to.deep.equal([]);
  });

  it("an unknown termination: key fails, naming the nearest known one", async () => {
    const { provider } = await testProvider(mrsTarget, {
      "huaweicloud:authToken": secrets.authToken,
      "huaweicloud:projectId": projectId,
      "huaweicloud:mrsEndpoint": endpoint,
      "termination:maxAttempt": "3",
    });
    const { failures } = await provider.check({}, job);
    expect(failures?.map((f) => f.reason)).to.have.length(1);
    expect(failures?.[0].reason).to.include("did you mean stack config `termination:maxAttempts`?");
  });

  it("other providers' settings and the plugin's own keys in the same stack are left alone", async () => {
    const { provider } = await testProvider(mrsTarget, {
      "huaweicloud:authToken": secrets.authToken,
      "huaweicloud:projectId": projectId,
      "huaweicloud:mrsEndpoint": endpoint,
      "huaweicloud:regional": "true",
      "huaweicloud:projectName": "cn-north-4",
      "huaweicloud:endpoints": "{}",
      "termination:huaweicloud": "{}",
      "termination:version": "0.1.0",
      "aws:region": "us-east-1",
      "test:greeting": "hello",
    });
    expect((await provider.check({}, job)).failures).to.deep.equal([]);
  });

  it("blueking: and yarn: near misses fail the same way, for every resource of the stack", async () => {
    const config = {
      "blueking:appCode": "app",
      "blueking:appSecret": secrets.appSecret,
      "blueking:username": "admin",
      "blueking:apigwURLTemplate": `${endpoint}/api/{api_name}`,
      "blueking:esbUrl": endpoint,
      "yarn:resourceManagerUrl": endpoint,
      "yarn:usr": "hadoop",
    };
    const nodeman = await testProvider(nodemanTarget, config);
    const reasons = (await nodeman.provider.check({}, { subscriptionId: 1, preflight: false })).failures?.map(
      (f) => f.reason,
    );
    expect(reasons?.join("\n")).to.include("did you mean stack config `blueking:apigwUrlTemplate`?");
    expect(reasons?.join("\n")).to.include("did you mean stack config `yarn:user`?");
    const yarn = await testProvider(yarnTarget, config);
    const yarnReasons = (
      await yarn.provider.check({}, { applicationId: "application_1_0001", preflight: false })
    ).failures?.map((f) => f.reason);
    expect(yarnReasons?.join("\n")).to.include("`yarn:usr` (stack config) is not a setting");
  });

  it("the misspelled key's value never appears in the failure", async () => {
    const { provider } = await testProvider(mrsTarget, {
      "huaweicloud:accessKey": accessKey,
      "huaweicloud:secretkey": secrets.secretKey,
      "huaweicloud:projectId": projectId,
      "huaweicloud:mrsEndpoint": endpoint,
    });
    const { failures } = await provider.check({}, job);
    const text = JSON.stringify(failures);
    expect(text).to.include("did you mean stack config `huaweicloud:secretKey`?");
    expect(text).not.to.include(secrets.secretKey);
  });
});
