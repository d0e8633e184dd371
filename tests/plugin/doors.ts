/**
 * Two doors to one behaviour: the dynamic provider (the TerminationProvider objects TypeScript
 * programs use) and the provider plugin (over gRPC, as the engine drives it). Each offers the
 * same operations with plain values, so that one table of cases runs through both.
 */
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import type { CheckFailure } from "../../provider/validation/fields";
import { testProvider } from "../helpers/fixtures";
import { configure, startPlugin, struct, urnOf, type Props } from "./harness";

export type ResourceType = "MrsJobTermination" | "NodemanTaskTermination";

/** A failure of create/update: its message, and the partial resource when the request went out. */
export interface DoorError {
  message: string;
  id?: string;
  properties?: Props;
}

export interface Door {
  name: string;
  /** Every message the provider said, in order. */
  lines(): string[];
  check(type: ResourceType, olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  /** What a preview of a new resource runs: check, and (plugin) the preview of create. */
  preview(type: ResourceType, news: Props): Promise<{ failures: CheckFailure[] }>;
  diff(type: ResourceType, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[] }>;
  create(type: ResourceType, inputs: Props): Promise<{ id: string; outs: Props }>;
  read(type: ResourceType, id: string, props: Props): Promise<{ id: string; props: Props }>;
  update(type: ResourceType, id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(type: ResourceType, id: string, props: Props): Promise<void>;
  close(): Promise<void>;
}

export async function dynamicDoor(config: Record<string, string>): Promise<Door> {
  const mrs = await testProvider(mrsTarget, config);
  const nodeman = await testProvider(nodemanTarget, config);
  const lines: string[] = [];
  const pick = (type: ResourceType) => (type === "MrsJobTermination" ? mrs : nodeman);
  return {
    name: "dynamic provider",
    lines: () => [...mrs.lines, ...nodeman.lines, ...lines],
    check: async (type, olds, news) => {
      const result = await pick(type).provider.check(olds, news);
      return { inputs: result.inputs ?? {}, failures: result.failures ?? [] };
    },
    preview: async (type, news) => ({ failures: (await pick(type).provider.check({}, news)).failures ?? [] }),
    diff: async (type, olds, news) => {
      const result = await pick(type).provider.diff("id", olds, news);
      return { changes: result.changes === true, replaces: result.replaces ?? [] };
    },
    create: async (type, inputs) => {
      const result = await pick(type).provider.create(inputs);
      return { id: result.id, outs: result.outs };
    },
    read: async (type, id, props) => {
      const result = await pick(type).provider.read(id, props);
      return { id: result.id ?? id, props: result.props ?? {} };
    },
    update: async (type, id, olds, news) => ({
      outs: (await pick(type).provider.update(id, olds, news)).outs ?? {},
    }),
    delete: (type, id, props) => pick(type).provider.delete(id, props),
    close: async () => {},
  };
}

const failuresOf = (response: provproto.CheckResponse) =>
  response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));

/** "a: reason; b: reason" (the plugin's error for a preview that found no target) as failures. */
function parseFailures(message: string): CheckFailure[] {
  return message.split("; ").map((part) => {
    const at = part.indexOf(": ");
    return { property: part.slice(0, at), reason: part.slice(at + 2) };
  });
}

export async function pluginDoor(config: Record<string, string>): Promise<Door> {
  const plugin = await startPlugin();
  const configured = await configure(plugin, config);
  if (configured.failures.length > 0)
    throw new Error(`CheckConfig refused the test config: ${JSON.stringify(configured.failures)}`);
  const { client } = plugin;
  const urn = (type: ResourceType) => urnOf(type, "subject");
  const check = async (type: ResourceType, olds: Props, news: Props) => {
    const request = new provproto.CheckRequest()
      .setUrn(urn(type))
      .setOlds(struct(olds))
      .setNews(struct(news));
    const response = await plugin.call(client.check, request);
    return { inputs: response.getInputs()?.toJavaScript() ?? {}, failures: failuresOf(response) };
  };
  return {
    name: "plugin",
    lines: () => plugin.messages.map((m) => (m.severity === "warning" ? `warning: ${m.message}` : m.message)),
    check,
    preview: async (type, news) => {
      const checked = await check(type, {}, news);
      if (checked.failures.length > 0) return checked;
      const request = new provproto.CreateRequest()
        .setUrn(urn(type))
        .setProperties(struct(news))
        .setPreview(true);
      try {
        await plugin.call(client.create, request);
        return { failures: [] };
      } catch (error) {
        return { failures: parseFailures((error as Error).message) };
      }
    },
    diff: async (type, olds, news) => {
      const request = new provproto.DiffRequest()
        .setUrn(urn(type))
        .setId("id")
        .setOlds(struct(olds))
        .setNews(struct(news));
      const response = await plugin.call(client.diff, request);
      return {
        changes: response.getChanges() === provproto.DiffResponse.DiffChanges.DIFF_SOME,
        replaces: response.getReplacesList(),
      };
    },
    create: async (type, inputs) => {
      const request = new provproto.CreateRequest().setUrn(urn(type)).setProperties(struct(inputs));
      const response = await plugin.call(client.create, request);
      return { id: response.getId(), outs: response.getProperties()?.toJavaScript() ?? {} };
    },
    read: async (type, id, props) => {
      const request = new provproto.ReadRequest().setUrn(urn(type)).setId(id).setProperties(struct(props));
      const response = await plugin.call(client.read, request);
      return { id: response.getId(), props: response.getProperties()?.toJavaScript() ?? {} };
    },
    update: async (type, id, olds, news) => {
      const request = new provproto.UpdateRequest()
        .setUrn(urn(type))
        .setId(id)
        .setOlds(struct(olds))
        .setNews(struct(news));
      const response = await plugin.call(client.update, request);
      return { outs: response.getProperties()?.toJavaScript() ?? {} };
    },
    delete: async (type, id, props) => {
      const request = new provproto.DeleteRequest().setUrn(urn(type)).setId(id).setProperties(struct(props));
      await plugin.call(client.delete, request);
    },
    close: () => plugin.close(),
  };
}

export const doors = { dynamic: dynamicDoor, plugin: pluginDoor };
