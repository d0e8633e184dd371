/**
 * The plugin under test, in-process on 127.0.0.1, driven as the engine drives it: a gRPC client
 * of its ResourceProvider service, and a fake engine whose Log service records each message with
 * its URN. Values cross as protobuf Structs, secrets as the engine's secret objects.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { startEmulator, type Emulator } from "../../emulator";
import { PluginServer } from "../../provider/plugin/server";
import { baseSeed } from "../helpers/fixtures";

export type Props = Record<string, unknown>;

export interface LoggedMessage {
  severity: "info" | "warning" | "error" | "debug";
  urn: string;
  message: string;
}

/** The engine's Log service, recording what the plugin says and under which resource. */
export async function startFakeEngine(): Promise<{
  address: string;
  messages: LoggedMessage[];
  close(): void;
}> {
  const messages: LoggedMessage[] = [];
  const severities = { 0: "debug", 1: "info", 2: "warning", 3: "error" } as const;
  const server = new grpc.Server();
  server.addService(enginerpc.EngineService, {
    log: (call: grpc.ServerUnaryCall<engineproto.LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
      const request = call.request;
      messages.push({
        severity: severities[request.getSeverity()],
        urn: request.getUrn(),
        message: request.getMessage(),
      });
      callback(null, new Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, messages, close: () => server.forceShutdown() };
}

/** The engine's marking of a secret value. */
export function secret(value: unknown): Props {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export const urnOf = (type: string, name: string) =>
  `urn:pulumi:dev::project::termination:index:${type}::${name}`;

/** A failed call: the message, and the partial resource of an ErrorResourceInitFailed. */
export class PluginCallError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly id?: string,
    readonly properties?: Props,
    readonly inputs?: Props,
    readonly reasons?: string[],
  ) {
    super(message);
  }
}

function callError(error: grpc.ServiceError): PluginCallError {
  const raw = error.metadata?.get("grpc-status-details-bin")[0];
  if (raw) {
    const status = statusproto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
    for (const any of status.getDetailsList()) {
      if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
      const detail = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return new PluginCallError(
        error.details,
        error.code,
        detail.getId(),
        detail.getProperties()?.toJavaScript(),
        detail.getInputs()?.toJavaScript(),
        detail.getReasonsList(),
      );
    }
  }
  return new PluginCallError(error.details, error.code);
}

/** A client method, in the form of its last overload (TypeScript infers from that one). */
type Method<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

export interface RunningPlugin {
  client: provrpc.ResourceProviderClient;
  server: PluginServer;
  messages: LoggedMessage[];
  call<Req, Res>(method: Method<Req, Res>, request: Req): Promise<Res>;
  close(): Promise<void>;
}

interface PluginTest {
  emulator: Emulator;
  plugin: RunningPlugin;
}

/**
 * For each test of the enclosing describe, an emulator on the base seed and a plugin, handed to
 * `set`; after the test, the ones `get` returns are closed, the plugin first (a test may replace them).
 */
export function pluginPerTest(held: { set(started: PluginTest): void; get(): Partial<PluginTest> }): void {
  beforeEach(async () => {
    const emulator = await startEmulator({ seed: baseSeed() });
    held.set({ emulator, plugin: await startPlugin() });
  });
  afterEach(async () => {
    const { emulator, plugin } = held.get();
    await plugin?.close();
    await emulator?.close();
  });
}

export async function startPlugin(
  options: { env?: Record<string, string>; engine?: boolean } = {},
): Promise<RunningPlugin> {
  const engine = options.engine === false ? undefined : await startFakeEngine();
  const server = new PluginServer({
    engineAddress: engine?.address,
    version: "0.0.0-test",
    env: options.env ?? {},
    lifecycle: { pollIntervalMs: 20, maxPollIntervalMs: 50 },
  });
  const { port, server: grpcServer } = await server.listen();
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    client,
    server,
    messages: engine?.messages ?? [],
    call<Req, Res>(method: Method<Req, Res>, request: Req) {
      return new Promise<Res>((resolve, reject) =>
        method.call(client, request, new grpc.Metadata(), {}, (error, response) =>
          error ? reject(callError(error)) : resolve(response),
        ),
      );
    },
    async close() {
      client.close();
      server.close();
      grpcServer.forceShutdown();
      engine?.close();
    },
  };
}

export const struct = (props: Props) => Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));

/** Flat config keys (`huaweicloud:accessKey`, `termination:maxAttempts`) as the plugin's provider properties. */
export function providerArgs(config: Record<string, string>, secretKeys: string[] = []): Props {
  const args: Props = {};
  for (const [key, value] of Object.entries(config)) {
    const [namespace, name] = key.split(":");
    const wrapped = secretKeys.includes(name) ? secret(value) : value;
    if (namespace === "termination") args[name] = wrapped;
    else ((args[namespace] ??= {}) as Props)[name] = wrapped;
  }
  return args;
}

/** The secret fields of the plugin's configuration, as a program marks them. */
export const secretFields = [
  "secretKey",
  "securityToken",
  "authToken",
  "appSecret",
  "bkToken",
  "accessToken",
];

export async function configure(plugin: RunningPlugin, config: Record<string, string>) {
  const args = struct(providerArgs(config, secretFields));
  const check = await plugin.call(
    plugin.client.checkConfig,
    new provproto.CheckRequest()
      .setUrn("urn:pulumi:dev::project::pulumi:providers:termination::default")
      .setNews(args),
  );
  const failures = check.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
  const request = new provproto.ConfigureRequest().setArgs(args).setAcceptsecrets(true);
  const response = await plugin.call(plugin.client.configure, request);
  return { failures, response };
}
