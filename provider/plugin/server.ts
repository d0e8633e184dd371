/**
 * The `pulumi-resource-termination` gRPC ResourceProvider service, served with the generated
 * bindings (the SDK's `provider.main` drops the configuration). Every resource operation is the
 * generic lifecycle's, as for the dynamic provider; what is the plugin's own:
 * - configuration arrives as provider properties (`config.ts`) through CheckConfig/Configure;
 * - each message goes to the engine's log service with its resource's URN, so it stands under
 *   that resource in `pulumi preview` and `up`;
 * - `supportsPreview`: the preview's read of the target runs in `Create` with preview=true, not in
 *   `Check`, so the update that follows a preview reads nothing extra;
 * - Cancel stops every wait and retry: a termination already sent is then recorded incomplete;
 * - a read with an id alone (`pulumi import`) answers the inputs the id names as well.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AsyncLocalStorage } from "node:async_hooks";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { emptyConfig, type ConfigSource } from "../core/settings";
import { TerminationError, TerminationIncompleteError } from "../errors";
import type { Reporter } from "../core/reporter";
import type { Target } from "../core/contract";
import { recordedOutputs } from "../core/outputs";
import { isStateless, TerminationProvider, type ProviderOptions } from "../core/provider";
import type { TargetRegistration } from "../targets/registration";
import { registrations } from "../targets/registry";
import { UNKNOWN, validateFields } from "../validation/fields";
import { checkProviderConfig, configSource, markSecrets } from "./config";
import {
  checkResponse,
  describeFailures,
  fromVariables,
  grpcError,
  stable,
  typeOf,
  type Handler,
  type HandlerError,
} from "./grpc";
import { schemaText } from "./schema";
import { functions, resources } from "./tables";
import { fromStruct, toStruct, type Props } from "./values";

export const packageName = "termination";
const token = (name: string) => `${packageName}:index:${name}`;

export interface PluginOptions {
  /** The engine's gRPC address: the plugin's first argument. Without it, messages go to stderr. */
  engineAddress?: string;
  version: string;
  env?: Record<string, string | undefined>;
  /** For tests: poll intervals and clocks of the lifecycle. */
  lifecycle?: Pick<ProviderOptions, "now" | "pollIntervalMs" | "maxPollIntervalMs">;
}

export class PluginServer {
  private engine: enginerpc.EngineClient | undefined;
  private readonly urns = new AsyncLocalStorage<string>();
  private logs: Promise<void> = Promise.resolve();
  private config: ConfigSource = emptyConfig;
  private cancelled = false;
  private readonly pendingSleeps = new Set<() => void>();
  private readonly providers = new Map<string, TerminationProvider<object, unknown>>();
  private readonly env: Record<string, string | undefined>;
  private readonly reporter: Reporter;
  private schema: string | undefined;

  constructor(private readonly options: PluginOptions) {
    this.env = options.env ?? process.env;
    if (options.engineAddress) this.attachEngine(options.engineAddress);
    this.reporter = {
      info: (message) => this.log(engineproto.LogSeverity.INFO, message),
      warn: (message) => this.log(engineproto.LogSeverity.WARNING, message),
    };
    const providerOptions: ProviderOptions = {
      ...options.lifecycle,
      reporter: this.reporter,
      env: this.env,
      sleep: (ms) => this.sleep(ms),
      preflightInCheck: false,
    };
    const add = <I extends object, S>(target: Target<I, S>) =>
      this.providers.set(token(target.typeName), new TerminationProvider(target, providerOptions));
    for (const { target } of registrations as readonly TargetRegistration[]) add(target);
  }

  private attachEngine(address: string) {
    this.engine?.close();
    this.engine = new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  /** In order, under the URN of the operation that says it; stderr when there is no engine. */
  private log(severity: engineproto.LogSeverity, message: string) {
    const engine = this.engine;
    const urn = this.urns.getStore() ?? "";
    if (!engine) {
      process.stderr.write(`${severity === engineproto.LogSeverity.WARNING ? "warning: " : ""}${message}\n`);
      return;
    }
    const request = new engineproto.LogRequest();
    request.setSeverity(severity);
    request.setMessage(message);
    request.setUrn(urn);
    this.logs = this.logs.then(
      () =>
        new Promise<void>((resolve) =>
          engine.log(request, (error) => {
            if (error) process.stderr.write(`${message}\n`);
            resolve();
          }),
        ),
    );
  }

  /** The lifecycle's and the HTTP layer's sleep: Cancel ends it with an error. */
  private sleep(ms: number): Promise<void> {
    const cancelled = () => new TerminationError("cancelled: the engine asked the provider to stop (Ctrl-C)");
    if (this.cancelled) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        reject(cancelled());
      };
      const timer = setTimeout(() => {
        this.pendingSleeps.delete(stop);
        resolve();
      }, ms);
      this.pendingSleeps.add(stop);
    });
  }

  private provider(urn: string, type?: string) {
    const name = type || typeOf(urn);
    const provider = this.providers.get(name);
    if (!provider)
      throw new TerminationError(
        `unknown resource type ${name}; this provider serves ${[...this.providers.keys()].join(", ")}`,
      );
    return provider;
  }

  /** Wraps a handler: runs it under its URN, waits for its messages, maps errors to gRPC statuses. */
  private unary<Req extends object, Res>(handler: Handler<Req, Res>) {
    return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const request: object = call.request;
      const urn = "getUrn" in request && typeof request.getUrn === "function" ? (request.getUrn() ?? "") : "";
      this.urns.run(urn, async () => {
        let result: Res | undefined;
        let failure: unknown;
        try {
          result = await handler(call.request);
        } catch (error) {
          failure = error;
        }
        await this.logs;
        if (failure === undefined) callback(null, result);
        else callback(grpcError(failure as HandlerError));
      });
    };
  }

  /** The service implementation; methods left out answer UNIMPLEMENTED. */
  service(): grpc.UntypedServiceImplementation {
    const methods: Partial<provrpc.IResourceProviderServer> = {
      getPluginInfo: this.unary(async () => new plugproto.PluginInfo().setVersion(this.options.version)),
      getSchema: this.unary(async (request: provproto.GetSchemaRequest) => {
        if (request.getVersion() !== 0)
          throw new TerminationError(`unsupported schema version ${request.getVersion()}`);
        this.schema ??= schemaText(this.options.version);
        return new provproto.GetSchemaResponse().setSchema(this.schema);
      }),
      attach: this.unary(async (request: plugproto.PluginAttach) => {
        this.attachEngine(request.getAddress());
        return new Empty();
      }),
      cancel: this.unary(async () => {
        this.cancelled = true;
        for (const stop of this.pendingSleeps) stop();
        this.pendingSleeps.clear();
        return new Empty();
      }),
      checkConfig: this.unary(async (request: provproto.CheckRequest) => {
        // The engine stores what this answers: the secret settings go back marked secret.
        const news = fromStruct(request.getNews());
        return checkResponse(toStruct(markSecrets(news)), checkProviderConfig(news));
      }),
      diffConfig: this.unary(async (request: provproto.DiffRequest) => {
        // New credentials or settings never replace the provider: that would terminate everything again.
        const strip = (props: Props) => {
          const copy = { ...props };
          delete copy.version;
          return stable(copy);
        };
        const changed = strip(fromStruct(request.getOlds())) !== strip(fromStruct(request.getNews()));
        return new provproto.DiffResponse().setChanges(
          changed
            ? provproto.DiffResponse.DiffChanges.DIFF_SOME
            : provproto.DiffResponse.DiffChanges.DIFF_NONE,
        );
      }),
      configure: this.unary(async (request: provproto.ConfigureRequest) => {
        const args = request.getArgs()
          ? fromStruct(request.getArgs())
          : fromVariables(request.getVariablesMap());
        this.config = configSource(args);
        const config = this.config;
        const asConfig = {
          get: (key: string) => config.get(key),
          require: (key: string) => {
            const value = config.get(key);
            if (value === undefined) throw new TerminationError(`missing provider setting ${key}`);
            return value;
          },
        };
        for (const provider of this.providers.values()) await provider.configure({ config: asConfig });
        return new provproto.ConfigureResponse()
          .setAcceptsecrets(false)
          .setSupportspreview(true)
          .setAcceptresources(false)
          .setAcceptoutputs(false);
      }),
      check: this.unary(async (request: provproto.CheckRequest) => {
        const provider = this.provider(request.getUrn(), request.getType());
        const result = await provider.check(fromStruct(request.getOlds()), fromStruct(request.getNews()));
        return checkResponse(toStruct(result.inputs ?? {}), result.failures ?? []);
      }),
      diff: this.unary(async (request: provproto.DiffRequest) => {
        const provider = this.provider(request.getUrn(), request.getType());
        const result = await provider.diff(
          request.getId(),
          fromStruct(request.getOlds()),
          fromStruct(request.getNews()),
        );
        const response = new provproto.DiffResponse();
        response.setChanges(
          result.changes
            ? provproto.DiffResponse.DiffChanges.DIFF_SOME
            : provproto.DiffResponse.DiffChanges.DIFF_NONE,
        );
        response.setReplacesList(result.replaces ?? []);
        response.setDeletebeforereplace(result.deleteBeforeReplace ?? false);
        return response;
      }),
      create: this.unary(async (request: provproto.CreateRequest) => {
        const type = request.getType() || typeOf(request.getUrn());
        const provider = this.provider(request.getUrn(), type);
        const inputs = fromStruct(request.getProperties());
        const response = new provproto.CreateResponse();
        if (request.getPreview()) {
          // The preview's one read-only look at the target; it never sends a termination.
          const failures = provider.wantsPreflight({}, inputs) ? await provider.preflight(inputs) : [];
          if (failures.length > 0) throw new TerminationError(describeFailures(failures));
          return response.setProperties(toStruct({ ...this.unknownOutputs(type), ...inputs }));
        }
        try {
          const { id, outs } = await provider.create(inputs);
          return response.setId(id).setProperties(toStruct(outs));
        } catch (error) {
          if (error instanceof TerminationIncompleteError) Object.assign(error, { inputs });
          throw error;
        }
      }),
      read: this.unary(async (request: provproto.ReadRequest) => {
        const provider = this.provider(request.getUrn(), request.getType());
        // `pulumi import` and `get` send no state: the inputs identify the target then.
        let props = fromStruct(request.getProperties());
        if (Object.keys(props).length === 0) props = fromStruct(request.getInputs());
        const result = await provider.read(request.getId(), props);
        const response = new provproto.ReadResponse()
          .setId(result.id ?? request.getId())
          .setProperties(toStruct(result.props ?? props));
        // `pulumi import` (an id alone): the inputs the id names become the resource's inputs, which
        // the engine requires of an import and diffs the program's against.
        if (isStateless(props) && result.props) response.setInputs(toStruct(provider.inputsOf(result.props)));
        return response;
      }),
      update: this.unary(async (request: provproto.UpdateRequest) => {
        const type = request.getType() || typeOf(request.getUrn());
        const provider = this.provider(request.getUrn(), type);
        const olds = fromStruct(request.getOlds());
        const news = fromStruct(request.getNews());
        if (request.getPreview())
          return new provproto.UpdateResponse().setProperties(toStruct(this.previewUpdate(type, olds, news)));
        const result = await provider.update(request.getId(), olds, news);
        return new provproto.UpdateResponse().setProperties(toStruct(result.outs ?? {}));
      }),
      delete: this.unary(async (request: provproto.DeleteRequest) => {
        const provider = this.provider(request.getUrn(), request.getType());
        await provider.delete(request.getId(), fromStruct(request.getProperties()));
        return new Empty();
      }),
      invoke: this.unary(async (request: provproto.InvokeRequest) => {
        const fn = functions.find((f) => token(f.name) === request.getTok());
        if (!fn)
          throw new TerminationError(
            `unknown function ${request.getTok()}; this provider serves ${functions.map((f) => token(f.name)).join(", ")}`,
          );
        const args = fromStruct(request.getArgs());
        const response = new provproto.InvokeResponse();
        const failures = validateFields(args, fn.fields);
        if (failures.length === 0) failures.push(...(fn.check?.(args) ?? []));
        if (failures.length > 0)
          return response.setFailuresList(checkResponse(undefined, failures).getFailuresList());
        // An argument not known yet (a preview): there is nothing to read.
        if (JSON.stringify(args).includes(UNKNOWN)) return response;
        const result = await fn.run(args, { config: this.config, env: this.env, reporter: this.reporter });
        return response.setReturn(toStruct(result));
      }),
    };
    return methods as grpc.UntypedServiceImplementation;
  }

  /** Every output the resource records, unknown until `up`. */
  private unknownOutputs(type: string): Props {
    const served = resources.find((r) => token(r.target.typeName) === type);
    const outputs = served ? recordedOutputs(served.target) : {};
    return Object.fromEntries(Object.keys(outputs).map((key) => [key, UNKNOWN]));
  }

  /** What `update` will record, without waiting: a wait to resume leaves the outcome unknown. */
  private previewUpdate(type: string, olds: Props, news: Props): Props {
    const served = resources.find((r) => token(r.target.typeName) === type);
    const outs: Props = { ...olds };
    for (const key of Object.keys(served?.target.fields ?? {})) {
      if (news[key] === undefined) delete outs[key];
      else outs[key] = news[key];
    }
    if (olds.outcome === "requested" && news.waitForTermination !== false)
      Object.assign(outs, { outcome: UNKNOWN, completedAt: UNKNOWN });
    return outs;
  }

  /** Serves on `address` ("127.0.0.1:0" picks a port); resolves to the port. */
  async listen(address = "127.0.0.1:0"): Promise<{ port: number; server: grpc.Server }> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(provrpc.ResourceProviderService, this.service());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    return { port, server };
  }

  close() {
    this.engine?.close();
  }
}
