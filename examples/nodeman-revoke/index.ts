import * as pulumi from "@pulumi/pulumi";
import { hostInstanceId, NodemanTaskTermination } from "pulumi-termination";

const config = new pulumi.Config();

// Revoke two hosts' tasks only; leave `instanceIds` out to revoke every running instance.
const revoke = new NodemanTaskTermination("stop-agent-install", {
  subscriptionId: config.requireNumber("subscriptionId"),
  instanceIds: [hostInstanceId({ bkHostId: 1 }), hostInstanceId({ ip: "127.0.0.1", bkCloudId: 0 })],
  route: "apigw",
  stage: "prod",
  // Nothing running any more is the state we want, not an error.
  whenNothingRunning: "succeed",
});

export const outcome = revoke.outcome;
export const instances = revoke.instances;
