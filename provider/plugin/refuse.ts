/**
 * What the launcher serves on a Node.js older than the plugin needs: a provider that answers every
 * call with one refusal, saying what to do. A plugin that exits before printing its port makes the
 * engine print "could not read plugin stdout", "exited prematurely", "This is *always* a bug in the
 * provider" and the plugin's own output, for every load (pulumi pkg/resource/plugin/plugin.go
 * newPlugin); a provider that answers prints the refusal as a check failure of the provider
 * ("pulumi:providers:termination resource 'default' has a problem: ...") and the run stops there.
 * Kept to what an old Node.js runs: this file uses only @grpc/grpc-js and the protocol's bindings.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";

type Callback = (error: grpc.ServiceError | null, value?: unknown) => void;

/** Serves the refusal on a free port of 127.0.0.1 and prints the port, as the plugin would. */
export function serveRefusal(message: string, version: string, schema?: string): void {
  const refuse = (_call: unknown, callback: Callback) =>
    callback(
      Object.assign(new Error(message), {
        code: grpc.status.FAILED_PRECONDITION,
        details: message,
      }) as grpc.ServiceError,
    );
  const methods: Record<string, (call: unknown, callback: Callback) => void> = {};
  for (const name of Object.keys(provrpc.ResourceProviderService)) {
    const method = provrpc.ResourceProviderService[name as keyof typeof provrpc.ResourceProviderService];
    methods[method.originalName ?? name] = refuse;
  }
  // The handshake is left unimplemented (an older provider, to the engine) and the schema is served:
  // a failed handshake or schema load is reported once per resource, as a crash.
  delete methods.handshake;
  if (schema !== undefined)
    methods.getSchema = (_call, callback) =>
      callback(null, new provproto.GetSchemaResponse().setSchema(schema));
  methods.getPluginInfo = (_call, callback) => callback(null, new plugproto.PluginInfo().setVersion(version));
  methods.cancel = (_call, callback) => callback(null, new Empty());
  methods.attach = (_call, callback) => callback(null, new Empty());
  // The provider's configuration check: the engine prints its failure once, naming the provider.
  methods.checkConfig = (_call, callback) =>
    callback(
      null,
      new provproto.CheckResponse().setFailuresList([
        new provproto.CheckFailure().setProperty("").setReason(message),
      ]),
    );
  const server = new grpc.Server();
  server.addService(provrpc.ResourceProviderService, methods as grpc.UntypedServiceImplementation);
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      process.stderr.write(`${message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
  });
}
