/**
 * Attack through the plugin door: the same echoed secret as secrets.test.ts, seen by a YAML or
 * Python user through the engine (the error and the logged lines). Failed on main.
 */
import { expect } from "chai";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type { Emulator } from "../../emulator";
import { clusterId, findSecrets, huaweiConfig, secrets } from "../helpers/fixtures";
import {
  configure,
  PluginCallError,
  pluginPerTest,
  struct,
  urnOf,
  type RunningPlugin,
} from "../plugin/harness";

describe("attack: the plugin door", () => {
  let emulator: Emulator;
  let plugin: RunningPlugin;
  pluginPerTest({ set: (started) => ({ emulator, plugin } = started), get: () => ({ emulator, plugin }) });

  it("an MRS error_msg that repeats the X-Auth-Token does not reach the engine in plain text", async () => {
    await configure(plugin, huaweiConfig(emulator.url, "token"));
    emulator.injectFault({
      route: "mrs.get_job",
      fault: {
        kind: "reply",
        status: 401,
        body: { error_code: "APIGW.0301", error_msg: `token ${secrets.authToken} verify failed` },
      },
    });
    const urn = urnOf("MrsJobTermination", "nightly");
    const error = await plugin
      .call(
        plugin.client.create,
        new provproto.CreateRequest()
          .setUrn(urn)
          .setProperties(struct({ clusterId, jobExecutionId: "job-running" })),
      )
      .then(
        () => undefined,
        (e: PluginCallError) => e,
      );
    expect(error, "create should fail").to.not.equal(undefined);
    expect(findSecrets(error?.message, error?.properties, plugin.messages)).to.deep.equal([]);
  });
});
