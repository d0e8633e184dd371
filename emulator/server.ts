/**
 * The emulator's HTTP server: one pipeline for every API request (resolve → record → throttle →
 * fault → handle → answer), and the lifecycle (listen, close even with hung sockets).
 */
import { randomUUID } from "node:crypto";
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { handleAdmin } from "./admin";
import { describeFault, FaultPlan, type Fault, type FaultSpec, type RandomFaultSpec } from "./faults";
import {
  BodyTooLargeError,
  jsonReply,
  readBody,
  toReceivedRequest,
  writeReply,
  type ReceivedRequest,
  type Reply,
} from "./http";
import type { Emulator, EmulatorOptions, StateSnapshot } from "./types";
import { handleMrs, mrsGatewayReply, mrsSnapshot, MRS_THROTTLED, resolveMrs } from "./mrs";
import {
  handleNodeman,
  nodemanServerErrorReply,
  nodemanSnapshot,
  nodemanThrottledReply,
  resolveNodeman,
} from "./nodeman";
import { RateLimiter } from "./rateLimit";
import { handleYarn, resolveYarn, yarnSnapshot } from "./yarn";
import { RequestLog, type RecordedRequest, type RequestFilter } from "./requestLog";
import { noEffect, type HandlerContext, type Outcome, type Resolution, type RouteName } from "./routes";
import { loadSeed, type EmulatorState, type SeedState } from "./seed";

const ADMIN_PREFIX = "/_emulator/";
const MAX_BODY_BYTES = 1024 * 1024;
const UNKNOWN_ROUTE: Resolution = { api: "unknown", route: "unknown", params: {} };

export class PortInUseError extends Error {
  override name = "PortInUseError";
  readonly code = "EADDRINUSE";
  constructor(host: string, port: number) {
    super(`port ${port} is already in use on ${host}: stop the other process or pass --port`);
  }
}

/** One API request on its way through the pipeline. */
interface Exchange {
  request: ReceivedRequest;
  resolution: Resolution;
  entry: RecordedRequest;
  requestId: string;
  res: ServerResponse;
}

export class EmulatorServer implements Emulator {
  url = "";
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Timers of finite hang faults, cleared by close(). */
  private readonly holds = new Set<NodeJS.Timeout>();
  private readonly log = new RequestLog();
  private readonly faults = new FaultPlan();
  private readonly effective = new Map<RouteName, number>();
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly verbose: boolean;
  private clock: () => Date = () => new Date();
  private lastSeed: SeedState;
  private world: EmulatorState;

  constructor(options: EmulatorOptions = {}) {
    this.lastSeed = structuredClone(options.seed ?? {});
    this.world = loadSeed(this.lastSeed, this.clock());
    this.verbose = options.verbose ?? false;
    this.rateLimiter =
      options.rateLimitPerSecond === undefined ? undefined : new RateLimiter(options.rateLimitPerSecond);
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        // A bug in the emulator must show as such, not as a hung test.
        writeReply(res, jsonReply(500, { error: "emulator_error", message: String(error) }));
      });
    });
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(error.code === "EADDRINUSE" ? new PortInUseError(host, port) : error);
      };
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        this.port = (this.server.address() as AddressInfo).port;
        this.url = `http://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const timer of this.holds) clearTimeout(timer);
    this.holds.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  seed(state: SeedState): void {
    this.world = loadSeed(state, this.clock());
    this.lastSeed = structuredClone(state);
  }

  /** Back to the last seed, with no requests, faults, effective counts or clock override. */
  reset(): void {
    this.clock = () => new Date();
    this.world = loadSeed(this.lastSeed, this.clock());
    this.log.clear();
    this.faults.clear();
    this.faults.setRandom(undefined);
    this.effective.clear();
  }

  requests(filter?: RequestFilter): RecordedRequest[] {
    return this.log.list(filter);
  }

  clearRequests(): void {
    this.log.clear();
  }

  effectiveCount(route?: RouteName): number {
    if (route !== undefined) return this.effective.get(route) ?? 0;
    return [...this.effective.values()].reduce((sum, count) => sum + count, 0);
  }

  injectFault(spec: FaultSpec): void {
    this.faults.inject(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setRandomFaults(spec: RandomFaultSpec | undefined): void {
    this.faults.setRandom(spec);
  }

  state(): StateSnapshot {
    const nowMs = this.clock().getTime();
    return {
      nodeman: { subscriptions: nodemanSnapshot(this.world, nowMs) },
      mrs: { projects: mrsSnapshot(this.world, nowMs) },
      yarn: yarnSnapshot(this.world.yarn, nowMs),
    };
  }

  setClock(clock: () => Date): void {
    this.clock = clock;
  }

  // ---- The pipeline ----

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      writeReply(
        res,
        jsonReply(413, { error: "payload_too_large", message: error.message }, { Connection: "close" }),
      );
      return;
    }
    const request = toReceivedRequest(req, body);
    if (request.rawPath.startsWith(ADMIN_PREFIX)) {
      writeReply(res, handleAdmin(request, this));
      return;
    }
    this.handleApiRequest(request, res);
  }

  private handleApiRequest(request: ReceivedRequest, res: ServerResponse): void {
    const resolution =
      resolveNodeman(request, this.world) ?? resolveMrs(request) ?? resolveYarn(request) ?? UNKNOWN_ROUTE;
    const entry = this.log.record(request, resolution, this.clock());
    const exchange: Exchange = { request, resolution, entry, requestId: randomUUID(), res };
    if (resolution.route === "unknown") return this.answer(exchange);
    if (this.rateLimiter !== undefined && !this.rateLimiter.tryAcquire()) {
      entry.fault = "rate-limit";
      return this.send(
        exchange,
        throttledReply(this.world, resolution, exchange.requestId, { "Retry-After": "1" }),
      );
    }
    const fault = this.faults.take(resolution.route);
    if (fault === undefined) return this.answer(exchange);
    entry.fault = describeFault(fault);
    switch (fault.kind) {
      case "status":
        return this.send(exchange, statusFaultReply(this.world, resolution, fault, exchange.requestId));
      case "reply":
        // An answer that hides that the request was applied, when the fault says so.
        if (fault.afterApply) this.apply(exchange);
        return this.send(exchange, customReply(fault));
      case "reset":
        return this.dropConnection(exchange);
      case "reset-after-apply":
        this.apply(exchange);
        return this.dropConnection(exchange);
      case "hang":
        return this.hold(fault.ms, () => this.answer(exchange));
    }
  }

  private answer(exchange: Exchange): void {
    this.send(exchange, this.apply(exchange));
  }

  /** Runs the request against the state; counts it when it had the effect its route promises. */
  private apply({ request, resolution, entry, requestId }: Exchange): Reply {
    const ctx: HandlerContext = { state: this.world, now: this.clock(), requestId };
    const outcome = handle(resolution, request, ctx);
    if (outcome.effective && resolution.route !== "unknown") {
      entry.effective = true;
      this.effective.set(resolution.route, (this.effective.get(resolution.route) ?? 0) + 1);
    }
    return outcome.reply;
  }

  private send(exchange: Exchange, reply: Reply): void {
    const header = requestIdHeader(exchange.resolution);
    const headers = header === undefined ? reply.headers : { [header]: exchange.requestId, ...reply.headers };
    writeReply(exchange.res, { ...reply, headers });
    exchange.entry.status = reply.status;
    this.trace(exchange.entry);
  }

  /** Destroys the socket without an answer: the client sees a reset, the log keeps status null. */
  private dropConnection(exchange: Exchange): void {
    exchange.res.socket?.destroy();
    this.trace(exchange.entry);
  }

  /** A hang of Infinity holds until the client gives up or close() destroys the socket. */
  private hold(ms: number, then: () => void): void {
    if (ms === Infinity) return;
    const timer = setTimeout(() => {
      this.holds.delete(timer);
      then();
    }, ms);
    this.holds.add(timer);
  }

  private trace(entry: RecordedRequest): void {
    if (!this.verbose) return;
    const outcome = entry.status ?? "no answer";
    const fault = entry.fault === undefined ? "" : ` [${entry.fault}]`;
    process.stdout.write(
      `${entry.time} ${entry.method} ${entry.path} -> ${outcome} ${entry.route}${fault}\n`,
    );
  }
}

function handle(resolution: Resolution, request: ReceivedRequest, ctx: HandlerContext): Outcome {
  switch (resolution.api) {
    case "nodeman":
      return handleNodeman(resolution, request, ctx);
    case "mrs":
      return handleMrs(resolution, request, ctx);
    case "yarn":
      return handleYarn(resolution, request, ctx);
    default:
      return noEffect(
        jsonReply(404, { error: "not_found", message: `no route for ${request.method} ${request.rawPath}` }),
      );
  }
}

function requestIdHeader(resolution: Resolution): string | undefined {
  // Huawei's gateway: X-Request-Id (huaweicloud-sdk-go-v3 core/sdkerr/errors.go reads it there).
  if (resolution.api === "mrs") return "X-Request-Id";
  if (resolution.transport === "apigw") return "X-Bkapi-Request-Id";
  return undefined;
}

/** What the route's gateway answers when it throttles: its own code, which clients retry on. */
function throttledReply(
  state: EmulatorState,
  resolution: Resolution,
  requestId: string,
  headers: Record<string, string>,
): Reply {
  // The RM itself does not throttle; a proxy in front of it answers plain text.
  if (resolution.api === "yarn")
    return {
      status: 429,
      headers: { "Content-Type": "text/plain", ...headers },
      body: "Too Many Requests\n",
    };
  return resolution.api === "mrs"
    ? mrsGatewayReply(
        429,
        MRS_THROTTLED,
        "The throttling threshold has been reached",
        { requestId, modes: state.mrsModes },
        headers,
      )
    : nodemanThrottledReply(state, resolution.transport, headers);
}

/**
 * An injected status. 429 is the gateway throttling; 500 on NodeMan is NodeMan's own unexpected
 * error, as its middleware answers it. Other statuses are infrastructure failures (a proxy or the
 * gateway's own 5xx): plain text with no service error code, so that no client takes them for a
 * business answer such as MRS's "500 with error_code 0175". That one is a `reply` fault.
 */
function statusFaultReply(
  state: EmulatorState,
  resolution: Resolution,
  fault: Extract<Fault, { kind: "status" }>,
  requestId: string,
): Reply {
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
  if (fault.status === 429) return throttledReply(state, resolution, requestId, headers);
  if (fault.status === 500 && resolution.api === "nodeman")
    return nodemanServerErrorReply(resolution.transport, headers);
  return {
    status: fault.status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
    body: `injected fault: HTTP ${fault.status} ${STATUS_CODES[fault.status]}\n`,
  };
}

function customReply(fault: Extract<Fault, { kind: "reply" }>): Reply {
  if (typeof fault.body === "string" || fault.body === undefined) {
    return { status: fault.status, headers: { ...fault.headers }, body: fault.body ?? "" };
  }
  return jsonReply(fault.status, fault.body, fault.headers);
}
