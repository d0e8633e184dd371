/**
 * Attack: a service (or a proxy in front of it) that echoes what it was sent. The credentials the
 * provider sent must not come back to the user in an error message. Each test failed on main.
 */
import { expect } from "chai";
import type { Emulator } from "../../emulator";
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
import { mrsTarget, nodemanTarget } from "./helpers";

describe("attack: secrets echoed by the server", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  it("NodeMan through the ESB: a WAF's 403 page echoing the request body does not put bk_app_secret in the error", async () => {
    // The ESB carries the app secret and the user's token in the body; a WAF answers with the body it refused.
    const echoed = JSON.stringify({
      bk_app_code: "pulumi-termination",
      bk_app_secret: secrets.appSecret,
      bk_username: "admin",
      bk_token: secrets.bkToken,
      subscription_id: 42,
    });
    emulator.injectFault({
      route: "nodeman.revoke",
      fault: { kind: "reply", status: 403, body: `Request blocked: ${echoed}` },
    });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    const error = await caught(provider.create({ subscriptionId: 42 }));
    expect(findSecrets(error.message, String(error), lines)).to.deep.equal([]);
  });

  it("NodeMan: an envelope whose message repeats the bk_token does not put it in the error", async () => {
    emulator.injectFault({
      route: "nodeman.revoke",
      fault: {
        kind: "reply",
        status: 200,
        body: {
          result: false,
          code: 1640001,
          message: `user authentication failed, bk_token=${secrets.bkToken}`,
        },
      },
    });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const error = await caught(provider.create({ subscriptionId: 42 }));
    expect(findSecrets(error.message, String(error), lines)).to.deep.equal([]);
  });

  it("MRS: an error_msg that repeats the X-Auth-Token does not put it in the error", async () => {
    emulator.injectFault({
      route: "mrs.get_job",
      fault: {
        kind: "reply",
        status: 401,
        body: {
          error_code: "APIGW.0301",
          error_msg: `Incorrect IAM authentication information: token ${secrets.authToken} verify failed`,
        },
      },
    });
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url, "token"));
    const error = await caught(provider.create({ clusterId, jobExecutionId: "job-running" }));
    expect(findSecrets(error.message, String(error), lines)).to.deep.equal([]);
  });
});
