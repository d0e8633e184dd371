/** The NodeMan lookup as the plugin serves it (getNodemanSubscriptionStatus). */
import { checked, itemProperties, type ServedFunction } from "../../plugin/functions";
import { nodemanFields } from "./fields";
import { getNodemanSubscriptionStatus, type GetNodemanSubscriptionStatusArgs } from "./lookups";

export const nodemanFunctions: ServedFunction[] = [
  {
    name: "getNodemanSubscriptionStatus",
    description:
      "Reads the task status of each instance of a NodeMan subscription. Sends nothing that changes it.",
    fields: {
      subscriptionId: nodemanFields.subscriptionId,
      instanceIds: nodemanFields.instanceIds,
      route: nodemanFields.route,
      stage: nodemanFields.stage,
    },
    outputs: {
      subscriptionId: { type: "integer", required: true, description: "The subscription id" },
      instances: {
        type: "objectList",
        required: true,
        item: {
          name: "NodemanInstance",
          description: "A NodeMan instance and its task status.",
          properties: itemProperties({
            instanceId: ["string", "The instance id."],
            status: ["string", "The instance's task status."],
            running: ["boolean", "True while the instance's task (or its current step) is running."],
          }),
        },
        description: "Each instance of the subscription (or of instanceIds)",
      },
    },
    run: async (args, options) => ({
      ...(await getNodemanSubscriptionStatus(checked<GetNodemanSubscriptionStatusArgs>(args), options)),
    }),
  },
];
