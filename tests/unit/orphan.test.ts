/**
 * The plugin exits once its parent (the engine) is gone: a `pulumi` killed with SIGKILL cannot stop
 * it (issue 16.5). A parent process starts a child that watches it, then exits; the child must end.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../../testing/process";

const main = path.join(repoRoot, "provider", "plugin", "main.ts");
const child = `require("tsx/cjs"); require(${JSON.stringify(main)}).exitWhenOrphaned(undefined, 100); console.log("watching"); setInterval(() => {}, 1000);`;
// The parent starts the watcher, prints its pid once it watches, and exits without waiting for it.
const parent = `const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(child)}], { detached: true, stdio: ["ignore", "pipe", "ignore"], cwd: ${JSON.stringify(repoRoot)} }); c.stdout.once("data", () => { console.log(c.pid); process.exit(0); }); c.on("exit", () => process.exit(1));`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the plugin without its engine", function () {
  this.timeout(60_000);

  it("exits soon after its parent process is gone", async () => {
    const started = spawn(process.execPath, ["-e", parent], { cwd: repoRoot });
    let out = "";
    started.stdout.on("data", (chunk: Buffer) => (out += chunk));
    await new Promise((resolve) => started.on("close", resolve));
    const pid = Number(out.trim());
    expect(pid).to.be.greaterThan(0);
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const still = alive(pid);
    if (still) process.kill(pid, "SIGKILL");
    expect(still, `the watcher ${pid} still runs 20 s after its parent exited`).to.equal(false);
  });
});
