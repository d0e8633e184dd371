import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  DEMO_CREDENTIALS,
  PortInUseError,
  startEmulator,
  type Emulator,
  type SeedState,
} from "../../emulator";
import { rawRequest, type Envelope, type JobDetailBody } from "./helpers";

const root = path.resolve(__dirname, "../..");
const demoSeed = JSON.parse(readFileSync(path.join(root, "emulator/seeds/demo.json"), "utf8")) as SeedState;

/** Runs the CLI the way `npm run emulator` does (tsx), and resolves with its first stdout line. */
function runCli(args: string[]): {
  child: ChildProcess;
  firstLine: Promise<string>;
  exit: Promise<number | null>;
  stderr: () => string;
} {
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "emulator/cli.ts", ...args],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]);
    });
    child.once("exit", () => reject(new Error(`the CLI exited before printing a line: ${stderr}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, firstLine, exit, stderr: () => stderr };
}

describe("emulator: lifecycle, routing and the CLI", () => {
  const started: Emulator[] = [];
  const start = async (options: Parameters<typeof startEmulator>[0] = {}) => {
    const emulator = await startEmulator(options);
    started.push(emulator);
    return emulator;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emulator) => emulator.close()));
  });

  it("listens on an ephemeral 127.0.0.1 port by default", async () => {
    const emulator = await start();
    expect(emulator.port).to.be.greaterThan(0);
    expect(emulator.url).to.equal(`http://127.0.0.1:${emulator.port}`);
  });

  it("refuses a port in use with a clear message", async () => {
    const first = await start();
    const error = await startEmulator({ port: first.port }).then(
      () => expect.fail("the second emulator must not start"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(PortInUseError);
    expect((error as Error).message).to.equal(
      `port ${first.port} is already in use on 127.0.0.1: stop the other process or pass --port`,
    );
  });

  it("answers unknown routes with 404 JSON, and a wrong ESB method with 405", async () => {
    const emulator = await start();
    const unknown = await rawRequest(emulator, { method: "GET", target: "/api/other" });
    expect(unknown.status).to.equal(404);
    expect(unknown.json()).to.include({ error: "not_found" });
    const esbGet = await rawRequest(emulator, {
      method: "GET",
      target: "/api/c/compapi/v2/nodeman/backend/api/subscription/revoke/",
    });
    expect(esbGet.status).to.equal(405);
    expect(esbGet.json<Envelope>().result).to.equal(false);
  });

  it("answers 413 to a body over 1 MiB", async () => {
    const emulator = await start();
    const result = await rawRequest(emulator, {
      method: "POST",
      target: "/api/bk-nodeman/prod/backend/api/subscription/revoke/",
      body: "x".repeat(1024 * 1024 + 1),
    });
    expect(result.status).to.equal(413);
  });

  it("closes with keep-alive connections open", async () => {
    const emulator = await start();
    await fetch(`${emulator.url}/_emulator/health`);
    const before = Date.now();
    await emulator.close();
    expect(Date.now() - before).to.be.lessThan(1000);
  });

  it("serves the demo seed with the demo credentials", async () => {
    const emulator = await start({ seed: demoSeed });
    const ready = await rawRequest(emulator, {
      method: "POST",
      target: "/api/c/compapi/v2/nodeman/backend/api/subscription/check_task_ready/",
      body: JSON.stringify({
        bk_app_code: DEMO_CREDENTIALS.blueking.apps[0].appCode,
        bk_app_secret: DEMO_CREDENTIALS.blueking.apps[0].appSecret,
        bk_username: "admin",
        bk_token: DEMO_CREDENTIALS.blueking.users[0].bkToken,
        subscription_id: 42,
      }),
    });
    expect(ready.json<Envelope>()).to.include({ result: true, data: true });
    const [projectId] = Object.keys(emulator.state().mrs.projects);
    const job = await rawRequest(emulator, {
      method: "GET",
      target: `/v2/${projectId}/clusters/demo-cluster-0001/job-executions/job-nightly-etl-0001`,
      headers: { "X-Auth-Token": DEMO_CREDENTIALS.huawei.tokens[0] },
    });
    expect(job.json<JobDetailBody>().job_detail).to.include({
      job_name: "nightly-etl",
      job_state: "RUNNING",
    });
    const jobs = emulator.state().mrs.projects[projectId].clusters["demo-cluster-0001"].jobs;
    expect(jobs.map((j) => j.job_state)).to.deep.equal(["RUNNING", "FINISHED"]);
    const instances = emulator.state().nodeman.subscriptions[0].instances.map((i) => i.status);
    expect(instances).to.deep.equal(["RUNNING", "RUNNING", "RUNNING", "SUCCESS"]);
  });

  describe("CLI", () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      if (child?.exitCode === null) child.kill("SIGTERM");
    });

    it("prints the listening line, serves, and exits 0 on SIGTERM", async () => {
      const cli = runCli(["--port", "0"]);
      child = cli.child;
      const line = await cli.firstLine;
      const match = /^emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      expect(match, line).to.not.equal(null);
      const health = await fetch(`${match![1]}/_emulator/health`);
      expect(await health.json()).to.deep.equal({ ok: true });
      child.kill("SIGTERM");
      expect(await cli.exit).to.equal(0);
    });

    it("exits non-zero with the clear message when the port is in use", async () => {
      const emulator = await start();
      const cli = runCli(["--port", String(emulator.port)]);
      child = cli.child;
      expect(await cli.exit).to.not.equal(0);
      expect(cli.stderr()).to.include(
        `port ${emulator.port} is already in use on 127.0.0.1: stop the other process or pass --port`,
      );
    });
  });
});
