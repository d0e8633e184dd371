/**
 * Credentials a server repeats do not reach the user: beyond tests/attack/secrets.test.ts, the
 * configured secrets that are never sent (an AK/SK's secret key), the temporary security token,
 * an error header of the API gateway, and a progress line built from an answer.
 */
import { expect } from "chai";
import type { Emulator } from "../../emulator";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import {
  bluekingConfig,
  caught,
  clusterId,
  emulatorPerTest,
  findSecrets,
  huaweiConfig,
  secrets,
  testProvider,
} from "../helpers/fixtures";

describe("secrets a server repeats are masked", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  it("MRS with AK/SK: the secret key (never sent) and the security token, in error_msg and request_id", async () => {
    emulator.injectFault({
      route: "mrs.get_job",
      fault: {
        kind: "reply",
        status: 401,
        body: {
          error_code: "APIGW.0301",
          error_msg: `signed with ${secrets.secretKey}, token ${encodeURIComponent(secrets.securityToken)}`,
          request_id: secrets.securityToken,
        },
      },
    });
    const config = {
      ...huaweiConfig(emulator.url, "aksk"),
      "huaweicloud:securityToken": secrets.securityToken,
    };
    const { provider, lines } = await testProvider(mrsTarget, config);
    const error = await caught(provider.create({ clusterId, jobExecutionId: "job-running" }));
    expect(error.message).to.include("APIGW.0301").and.include("signed with ***");
    expect(findSecrets(error.message, String(error), error.stack, lines)).to.deep.equal([]);
  });

  it("NodeMan through the gateway: X-Bkapi-Error-Message repeating the access_token", async () => {
    emulator.injectFault({
      route: "nodeman.revoke",
      fault: {
        kind: "reply",
        status: 401,
        body: "",
        headers: {
          "X-Bkapi-Error-Code": "1640001",
          "X-Bkapi-Error-Message": `access_token ${secrets.accessToken} is invalid`,
        },
      },
    });
    const config = { ...bluekingConfig(emulator.url, "apigw"), "blueking:accessToken": secrets.accessToken };
    const { provider, lines } = await testProvider(nodemanTarget, config);
    const error = await caught(provider.create({ subscriptionId: 42 }));
    expect(error.message).to.include("1640001").and.include("access_token *** is invalid");
    expect(findSecrets(error.message, String(error), lines)).to.deep.equal([]);
  });

  it("NodeMan: a status named after the bk_token reaches the progress lines masked", async () => {
    emulator.injectFault({
      route: "nodeman.task_result",
      fault: {
        kind: "reply",
        status: 200,
        body: {
          result: true,
          code: 0,
          message: "",
          data: [{ instance_id: "host|instance|host|1", status: secrets.bkToken, steps: [] }],
        },
      },
    });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    await provider.create({ subscriptionId: 42 });
    expect(lines.join("\n")).to.include("undocumented status ***");
    expect(findSecrets(lines)).to.deep.equal([]);
  });
});
