/**
 * End-to-end from Go: a Go program written against the generated Go SDK (sdk/go), with an explicit
 * provider, the three resources and a `getMrsJob` invoke, run by the real engine through the
 * Automation API's inline programs (tests/e2e/go: the language runtime is served by the program
 * itself, so no pulumi-language-go is needed) against the emulator. The engine starts the plugin
 * from the project's plugins.providers path (the checkout's bin/, which runs dist/). The program
 * passes the provider's secrets as plain values. The emulator's request log is the witness; the
 * cases run in order on one stack.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import type { RecordedRequest } from "../../emulator/requestLog";
import { PulumiStack, repoRoot, run } from "../../scripts/lib/pulumi";
import { goBinaryOrSkip } from "../../testing/go";
import { accessKey, baseSeed, clusterId, findSecrets, projectId, secrets } from "../helpers/fixtures";
import { diagnosticsOf, instanceStatuses, pulumiCliOrSkip, sharedProgram } from "./program";

const applicationId = "application_1700000000000_0001";

/** What tests/e2e/go/main.go declares ($GO_E2E_SPEC). */
interface Spec {
  emulatorUrl: string;
  clusterId: string;
  jobExecutionId: string;
  subscriptionId: number;
  applicationId: string;
  accessKey: string;
  secretKey: string;
  projectId: string;
  appCode: string;
  appSecret: string;
  username: string;
  bkToken: string;
  yarnUser: string;
}

/** The last line the program prints. */
interface GoResult {
  ok: boolean;
  error?: string;
  stdout: string;
  stderr?: string;
  outputs?: Record<string, unknown>;
  changes?: Record<string, number>;
}

describe("end-to-end: a Go program on the generated Go SDK, through the Automation API", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;
  let programDir: string;
  let program: string;
  let spec: Spec;
  /** What the Go program printed, each run (the CLI's own commands are in stack.transcript). */
  const goTranscript: string[] = [];

  const count = (route: string) => emulator.requests({ route: route as never }).length;
  const terminations = () => count("mrs.kill") + count("nodeman.revoke") + count("yarn.kill");
  const lastSeq = () => emulator.requests().at(-1)?.seq ?? 0;
  const since = (seq: number) => emulator.requests().filter((r) => r.seq > seq);
  /** Requests of `route` about `target`: a path segment, or a subscription id in the body. */
  const reads = (requests: RecordedRequest[], route: string, target: string | number) =>
    requests.filter(
      (r) =>
        r.route === route &&
        (r.path.split("/").includes(String(target)) ||
          (r.body as { subscription_id?: unknown } | null)?.subscription_id === target),
    ).length;

  /** Runs the Go program's `op` on the stack, with `spec` as it is now. */
  async function goRun(op: "preview" | "up" | "refresh" | "destroy"): Promise<GoResult> {
    const result = await run(program, ["-dir", programDir, "-stack", stack.stackName, op], {
      env: { ...stack.env, GO_E2E_SPEC: JSON.stringify(spec) },
      timeoutMs: 600_000,
    });
    goTranscript.push(`$ tests-e2e-go ${op}\n${result.stdout}\n${result.stderr}`);
    const last = result.stdout.trim().split("\n").at(-1) ?? "";
    let parsed: GoResult;
    try {
      parsed = JSON.parse(last) as GoResult;
    } catch {
      throw new Error(`tests-e2e-go ${op} exited ${result.code} without a result:\n${result.output}`);
    }
    expect(parsed.ok, `tests-e2e-go ${op} failed: ${parsed.error ?? ""}`).to.equal(result.code === 0);
    return parsed;
  }

  before(async function () {
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    program = await goBinaryOrSkip(this, "tests/e2e/go", ["sdk/go"]);
    await sharedProgram(); // builds dist/, which bin/pulumi-resource-termination runs
    emulator = await startEmulator({
      seed: baseSeed({ yarn: { applications: [{ name: "spark-etl", user: "etl", queue: "default" }] } }),
    });
    programDir = mkdtempSync(path.join(tmpdir(), "pulumi-termination-go-"));
    writeFileSync(
      path.join(programDir, "Pulumi.yaml"),
      [
        "name: go-e2e",
        "runtime: go",
        "plugins:",
        "  providers:",
        "    - name: termination",
        `      path: ${path.join(repoRoot, "bin")}`,
        "",
      ].join("\n"),
    );
    stack = await PulumiStack.create(programDir, binDir, "go");
    spec = {
      emulatorUrl: emulator.url,
      clusterId,
      jobExecutionId: "job-running",
      subscriptionId: 42,
      applicationId,
      accessKey,
      secretKey: secrets.secretKey,
      projectId,
      appCode: "pulumi-termination",
      appSecret: secrets.appSecret,
      username: "admin",
      bkToken: secrets.bkToken,
      yarnUser: "etl",
    };
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
    if (programDir) rmSync(programDir, { recursive: true, force: true });
  });

  it("1. preview: each line under its own resource, one read per target, no kill or revoke", async () => {
    const { stdout, changes } = await goRun("preview");
    expect(changes).to.include({ create: 5 }); // the stack, the provider and the three resources
    expect(diagnosticsOf(stdout, "termination:index:MrsJobTermination (kill-job):")).to.satisfy(
      (lines: string[]) =>
        lines.some((l) => /^MRS job nightly-etl \(job-running\) RUNNING.*: will be killed$/.test(l)),
    );
    expect(diagnosticsOf(stdout, "termination:index:NodemanTaskTermination (revoke-tasks):")).to.include(
      `NodeMan subscription 42 via apigw at ${new URL(emulator.url).host}: 3 of 4 instance(s) running will be revoked: host|instance|host|1, host|instance|host|127.0.0.1-0-0, host|instance|host|2`,
    );
    expect(diagnosticsOf(stdout, "termination:index:YarnApplicationTermination (kill-app):")).to.satisfy(
      (lines: string[]) =>
        lines.some((l) => /^YARN application .*spark-etl.* RUNNING.*: will be killed$/.test(l)),
    );
    // Nothing stands under the Stack: that is where a dynamic provider's lines go.
    expect(stdout).to.not.match(/pulumi:pulumi:Stack \([^)]*\):\n/);
    expect(terminations()).to.equal(0);
    const requests = emulator.requests();
    expect(reads(requests, "mrs.get_job", "job-running")).to.equal(1);
    expect(reads(requests, "nodeman.task_result", 42)).to.equal(1);
    expect(reads(requests, "yarn.get_app", applicationId)).to.equal(1);
  });

  it("2. a bad input fails naming the field, and sends no request to its service, nor any that terminates", async () => {
    // One bad input at a time: the engine stops at the first failure, in an order of its choosing.
    const cases: { bad: Partial<Spec>; api: string; message: RegExp }[] = [
      { bad: { clusterId: "../cluster-1" }, api: "mrs", message: /kill-job.*property clusterId /s },
      {
        bad: { subscriptionId: 0 },
        api: "nodeman",
        message: /revoke-tasks.*property subscriptionId .*must be between 1 and/,
      },
      { bad: { applicationId: "application_1" }, api: "yarn", message: /kill-app.*property applicationId /s },
    ];
    const good = spec;
    for (const { bad, api, message } of cases) {
      const before = lastSeq();
      spec = { ...good, ...bad };
      try {
        const result = await goRun("preview");
        expect(result.ok, JSON.stringify(bad)).to.equal(false);
        expect(result.error).to.match(message);
      } finally {
        spec = good;
      }
      expect(
        since(before).filter((r) => r.api === api),
        api,
      ).to.deep.equal([]);
      expect(
        since(before).filter((r) => r.method !== "GET" && r.route !== "nodeman.task_result"),
      ).to.deep.equal([]);
    }
  });

  it("3. up terminates each target once and records the documented outputs", async () => {
    const { outputs, changes } = await goRun("up");
    expect(changes).to.include({ create: 5 });
    expect({
      kills: emulator.effectiveCount("mrs.kill"),
      revokes: emulator.effectiveCount("nodeman.revoke"),
      yarnKills: emulator.effectiveCount("yarn.kill"),
    }).to.deep.equal({ kills: 1, revokes: 1, yarnKills: 1 });
    expect(outputs).to.include({
      mrsOutcome: "terminated",
      mrsJobState: "KILLED",
      mrsJobName: "nightly-etl",
      nodemanOutcome: "terminated",
      yarnOutcome: "terminated",
      yarnState: "KILLED",
      yarnFinalStatus: "KILLED",
      // The invoke's result, through the same explicit provider.
      finishedState: "FINISHED",
      finishedResult: "SUCCEEDED",
      finishedName: "done",
    });
    expect(outputs?.mrsKilled).to.deep.equal(["job-running"]);
    expect(outputs?.yarnKilled).to.deep.equal([applicationId]);
    expect(instanceStatuses(outputs ?? {})).to.include({
      "host|instance|host|1": "FAILED",
      "host|instance|host|2": "FAILED",
      "host|instance|host|127.0.0.1-0-0": "FAILED",
    });
  });

  it("4. a second up changes nothing and sends nothing that terminates", async () => {
    const before = lastSeq();
    const terminationsBefore = terminations();
    const { changes } = await goRun("up");
    expect(changes).to.deep.equal({ same: 5 });
    expect(terminations()).to.equal(terminationsBefore);
    // Only the invoke reads (job-finished); the resources read nothing.
    expect(
      since(before).every((r) => r.route === "mrs.get_job" && r.path.endsWith("/job-finished")),
    ).to.equal(true);
  });

  it("5. refresh reads live state and sends nothing that terminates", async () => {
    const before = lastSeq();
    const terminationsBefore = terminations();
    const { outputs } = await goRun("refresh");
    expect(terminations()).to.equal(terminationsBefore);
    expect(reads(since(before), "mrs.get_job", "job-running")).to.be.greaterThan(0);
    expect(since(before).every((r) => r.method === "GET" || r.route === "nodeman.task_result")).to.equal(
      true,
    );
    expect(outputs).to.include({ mrsOutcome: "terminated", mrsJobState: "KILLED", yarnState: "KILLED" });
  });

  it("6. secrets passed as plain values are ciphertext in `pulumi stack export`, and in plain text nowhere", async () => {
    const state = await stack.exportState();
    const deployment = JSON.parse(state) as {
      deployment: {
        resources: { type: string; inputs?: Record<string, unknown> }[];
      };
    };
    const provider = deployment.deployment.resources.find((r) => r.type === "pulumi:providers:termination");
    expect(typeof provider?.inputs?.huaweicloud, "the explicit provider's huaweicloud input").to.equal(
      "object",
    );
    // Encrypted: the whole object, or the key within it, is a secret envelope with ciphertext.
    for (const settings of ["huaweicloud", "blueking"]) {
      // A boolean, so that a failure never prints the value (it would show the secret in plain text).
      const value = JSON.stringify(provider?.inputs?.[settings] ?? null);
      const encrypted = value.includes("4dabf18193072939515e22adb298388d") && value.includes("ciphertext");
      expect(encrypted, `the provider's ${settings} input holds a secret envelope`).to.equal(true);
    }
    // And no secret in plain text in any state field (the provider's outputs too), output or request.
    // findSecrets names which secrets leaked, never the text around them.
    expect(findSecrets(state, stack.transcript, goTranscript, emulator.requests())).to.deep.equal([]);
  });

  it("7. destroy succeeds and sends nothing that terminates", async () => {
    const terminationsBefore = terminations();
    const { changes } = await goRun("destroy");
    expect(changes).to.include({ delete: 5 });
    expect(terminations()).to.equal(terminationsBefore);
    // What the program and the engine printed (the export is case 6's).
    expect(findSecrets(goTranscript)).to.deep.equal([]);
  });
});
