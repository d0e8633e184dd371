/**
 * The plugin as Pulumi runs it: the executable from an extracted plugin tarball, in a directory of
 * its own, started with a Node.js 22 on PATH; and the launcher's message on an older Node.js.
 */
import { expect } from "chai";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { buildTarball } from "../../scripts/plugin-tarball";

const root = path.join(__dirname, "..", "..");
const node22 = path.dirname(process.execPath);

describe("plugin packaging", function () {
  this.timeout(240_000);
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "termination-plugin-test-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("starts from an extracted plugin tarball with nothing but Node.js 22 on PATH, and serves", async () => {
    const dist = path.join(scratch, "dist");
    execFileSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", dist],
      {
        cwd: root,
      },
    );
    const tarball = buildTarball(scratch, dist);
    const installed = path.join(scratch, "installed");
    execFileSync("mkdir", ["-p", installed]);
    execFileSync("tar", ["-xzf", tarball, "-C", installed]);
    rmSync(dist, { recursive: true, force: true });

    const child = spawn(path.join(installed, "pulumi-resource-termination"), ["127.0.0.1:1"], {
      cwd: scratch,
      env: { PATH: `${node22}:/usr/bin:/bin`, HOME: scratch },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(out.trim());
        });
        child.stderr.on("data", (d) => (err += d));
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      expect(port).to.match(/^\d+$/);
      const client = new provrpc.ResourceProviderClient(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
      );
      const version = await new Promise<string>((resolve, reject) =>
        client.getPluginInfo(new Empty(), (error, info) =>
          error ? reject(error) : resolve(info.getVersion()),
        ),
      );
      client.close();
      expect(version).to.equal(require("../../package.json").version);
    } finally {
      child.kill();
    }
  });

  it("on a node older than 22, serves only the refusal: the provider's one check failure, with the fix", async function () {
    const old = spawnSync("/usr/bin/node", ["--version"], { encoding: "utf8" });
    if (old.status !== 0 || Number(old.stdout.slice(1).split(".")[0]) >= 22) this.skip();
    const child = spawn(path.join(root, "bin", "pulumi-resource-termination"), ["127.0.0.1:1"], {
      env: { PATH: "/usr/bin:/bin" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(out.trim());
        });
        child.stderr.on("data", (d) => (err += d));
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const client = new provrpc.ResourceProviderClient(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
      );
      const refusal =
        /^pulumi-resource-termination needs Node\.js 22 or newer, but the `node` on PATH \(\/usr\/bin\/node\) is v20[.\d]+\. Put a Node\.js 22 first on PATH/;
      const checked = await new Promise<provproto.CheckResponse>((resolve, reject) =>
        client.checkConfig(new provproto.CheckRequest(), (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
      expect(checked.getFailuresList().map((f) => f.getProperty())).to.deep.equal([""]);
      expect(checked.getFailuresList()[0].getReason()).to.match(refusal);
      const configured = await new Promise<Error | undefined>((resolve) =>
        client.configure(new provproto.ConfigureRequest(), (error) => resolve(error ?? undefined)),
      );
      expect(configured?.message).to.match(/needs Node\.js 22 or newer/);
      client.close();
    } finally {
      child.kill();
    }
  });
});
