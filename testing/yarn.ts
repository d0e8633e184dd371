/**
 * A real YARN ResourceManager for the tests (testing/yarn/MiniYarn.java: Hadoop's MiniYARNCluster on
 * 127.0.0.1), and applications submitted to it through its own REST API, as a user would
 * (`POST /ws/v1/cluster/apps`). Its jars come from scripts/yarn-rm.sh (Maven Central, cached per
 * machine); a machine without Java or Maven Central fails there, with the reason.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "./process";

/** What an application's AM does: run and then unregister, fail at once, or (unmanaged) never start. */
export type AppRun =
  | { kind: "sleep"; seconds: number; finalStatus?: "SUCCEEDED" | "FAILED" | "KILLED" }
  | { kind: "fail" }
  | { kind: "unmanaged" };

export interface AppSpec {
  user: string;
  name: string;
  queue?: string;
  applicationType?: string;
  tags?: string[];
  run: AppRun;
}

export interface ResourceManager {
  /** Web addresses of the RMs, `http://127.0.0.1:PORT`; in HA mode the first is active at start. */
  urls: string[];
  submit(spec: AppSpec): Promise<string>;
  /** Waits (bounded) until the application's state is one of `states`; returns the state. */
  waitForState(appId: string, states: string[], timeoutMs?: number): Promise<string>;
  /** The application as the RM reports it to its owner. */
  app(appId: string, user: string): Promise<Record<string, unknown>>;
  /** HA mode: makes the other RM the active one; returns the active one's URL. */
  failover(): Promise<string>;
  /** What the RM wrote to stderr, its last lines: for a failing test's message. */
  logTail(): string;
  close(): Promise<void>;
}

let cachedClasspath: string | undefined;

/** The launcher's classpath, preparing the jars on first use (scripts/yarn-rm.sh). */
export function yarnClasspath(): string {
  if (cachedClasspath) return cachedClasspath;
  const out = execFileSync("bash", [path.join(repoRoot, "scripts/yarn-rm.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 15 * 60_000,
  });
  cachedClasspath = out.trim().split("\n").pop() ?? "";
  return cachedClasspath;
}

interface Ready {
  ready: boolean;
  error?: string;
  rm: string[];
  java: string;
  amClasspath: string;
}

/** Starts the cluster; `ha`: two RMs, the first active and the second standby. */
export async function startResourceManager(options: { ha?: boolean; startTimeoutMs?: number } = {}) {
  const classpath = yarnClasspath();
  const work = mkdtempSync(path.join(tmpdir(), "pulumi-termination-yarn-"));
  const args = [
    "-Xmx768m",
    "-XX:+UseSerialGC",
    "-cp",
    classpath,
    "pulumitermination.yarn.MiniYarn",
    "rm",
    work,
  ];
  if (options.ha) args.push("--ha");
  const child: ChildProcess = spawn("java", args, { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.on("error", () => {});
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + String(chunk)).slice(-20_000);
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const nextLine = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const queued = early.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(
        () => reject(new Error(`the ResourceManager said nothing for ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onExit = (code: number | null) => reject(new Error(`the ResourceManager exited (${code})`));
      child.once("exit", onExit);
      waiting.push((line) => {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(line);
      });
    });
  const tail = () => stderr.split("\n").slice(-30).join("\n");
  let ready: Ready;
  try {
    ready = JSON.parse(await nextLine(options.startTimeoutMs ?? 240_000)) as Ready;
    if (!ready.ready) throw new Error(ready.error);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
    throw new Error(`the test ResourceManager did not start: ${(error as Error).message}\n${tail()}`, {
      cause: error,
    });
  }
  let active = ready.rm[0];

  const rest = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status >= 300)
      throw new Error(`${method} ${url.split("?")[0]}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const rm: ResourceManager = {
    urls: ready.rm,
    async submit(spec) {
      const user = encodeURIComponent(spec.user);
      const created = await rest("POST", `${active}/ws/v1/cluster/apps/new-application?user.name=${user}`);
      const appId = String(created["application-id"]);
      const run = spec.run;
      const am =
        run.kind === "fail"
          ? "false"
          : `${ready.java} -Xmx48m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp ${ready.amClasspath} ` +
            `pulumitermination.yarn.MiniYarn am ${run.kind === "sleep" ? run.seconds : 0} ${run.kind === "sleep" ? (run.finalStatus ?? "SUCCEEDED") : "SUCCEEDED"}`;
      // The submission's JSON as RMWebServices.submitApplication reads it (ApplicationSubmissionContextInfo).
      await rest("POST", `${active}/ws/v1/cluster/apps?user.name=${user}`, {
        "application-id": appId,
        "application-name": spec.name,
        queue: spec.queue ?? "default",
        "application-type": spec.applicationType ?? "YARN",
        "application-tags": { tag: spec.tags ?? [] },
        "unmanaged-AM": run.kind === "unmanaged",
        "max-app-attempts": 1,
        resource: { memory: 128, vCores: 1 },
        "am-container-spec": { commands: { command: `${am} 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr` } },
      });
      return appId;
    },
    async waitForState(appId, states, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let state = "";
      while (Date.now() < deadline) {
        state = String((await rest("GET", `${active}/ws/v1/cluster/apps/${appId}/state`)).state);
        if (states.includes(state)) return state;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${appId} stayed ${state}, not ${states.join("/")}, for ${timeoutMs} ms\n${tail()}`);
    },
    async app(appId, user) {
      const body = await rest(
        "GET",
        `${active}/ws/v1/cluster/apps/${appId}?user.name=${encodeURIComponent(user)}`,
      );
      return body.app as Record<string, unknown>;
    },
    async failover() {
      child.stdin?.write("failover\n");
      const line = await nextLine(60_000).catch((error: Error) => {
        throw new Error(`failover: ${error.message}\n${tail()}`, { cause: error });
      });
      const answer = JSON.parse(line) as { active?: string; error?: string };
      if (!answer.active) throw new Error(`failover: ${answer.error}`);
      active = answer.active;
      return active;
    },
    logTail: tail,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdin?.end("stop\n");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
  return rm;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** The kills that went through it: `PUT .../state`. */
  kills(): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A plain forwarding proxy on 127.0.0.1 in front of a real RM, recording every request: what a test
 * counts to say "killed once" or "nothing sent". It changes nothing in either direction.
 */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const http = await import("node:http");
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "" });
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    kills: () => requests.filter((r) => r.method === "PUT" && /\/state(\?|$)/.test(r.path)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
