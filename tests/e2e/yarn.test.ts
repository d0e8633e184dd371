/**
 * End-to-end against a real YARN ResourceManager (testing/yarn.ts, Hadoop's MiniYARNCluster): the
 * real Pulumi engine runs YarnApplicationTermination through both doors, a TypeScript program (the
 * dynamic provider) and a YAML program (the provider plugin), each from the packed tarball as npm
 * installs it. A recording proxy in front of the RM is the witness of what was sent.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { installPackages, packRepository, pulumiVersion } from "../../testing/pack";
import {
  recordingProxy,
  startResourceManager,
  type RecordingProxy,
  type ResourceManager,
} from "../../testing/yarn";
import { pulumiCliOrSkip, sharedProgram } from "./program";

const indexTs = `
import * as pulumi from "@pulumi/pulumi";
import { YarnApplicationTermination } from "pulumi-termination";

const config = new pulumi.Config("e2e-yarn");
const kill = new YarnApplicationTermination("kill-app", {
  applicationId: config.require("applicationId"),
  waitTimeoutSeconds: 120,
});
export const outcome = kill.outcome;
export const state = kill.state;
export const finalStatus = kill.finalStatus;
export const killed = kill.killedApplicationIds;
`;

function yamlProgram(pluginDir: string): string {
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
config:
  applicationId:
    type: string
resources:
  terminations:
    type: pulumi:providers:termination
    properties:
      yarn:
        resourceManagerUrl: \${yarn:resourceManagerUrl}
        user: \${yarn:user}
  kill-app:
    type: termination:index:YarnApplicationTermination
    properties:
      applicationId: \${applicationId}
      waitTimeoutSeconds: 120
    options:
      provider: \${terminations}
variables:
  seen:
    fn::invoke:
      function: termination:index:getYarnApplication
      arguments:
        applicationId: \${applicationId}
      options:
        provider: \${terminations}
outputs:
  outcome: \${kill-app.outcome}
  state: \${kill-app.state}
  finalStatus: \${kill-app.finalStatus}
  killed: \${kill-app.killedApplicationIds}
  seenUser: \${seen.user}
`;
}

describe("end-to-end: YarnApplicationTermination against a real ResourceManager, through both doors", function () {
  this.timeout(900_000);
  let rm: ResourceManager;
  let proxy: RecordingProxy;
  let installed: string;
  let binDir: string;
  const dirs: string[] = [];
  const stacks: PulumiStack[] = [];

  const running = async (name: string) => {
    const id = await rm.submit({ user: "alice", name, run: { kind: "sleep", seconds: 900 } });
    await rm.waitForState(id, ["RUNNING"]);
    return id;
  };

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    await sharedProgram(); // builds dist/
    installed = mkdtempSync(path.join(tmpdir(), "pulumi-termination-yarn-app-"));
    writeFileSync(path.join(installed, "package.json"), JSON.stringify({ name: "app", private: true }));
    await installPackages(installed, [await packRepository(installed), `@pulumi/pulumi@${pulumiVersion()}`]);
    rm = await startResourceManager();
    proxy = await recordingProxy(rm.urls[0]);
  });

  after(async () => {
    await proxy?.close();
    await rm?.close();
    for (const stack of stacks) stack.dispose();
    for (const dir of [...dirs, installed]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const door of ["dynamic provider (TypeScript)", "provider plugin (YAML)"] as const) {
    it(`${door}: preview kills nothing, up kills once (KILLED as YARN reports it), a second up and refresh send no kill, an unknown id fails the preview, an app that ended is already-finished`, async () => {
      let programDir: string;
      let ns: string;
      if (door.startsWith("dynamic")) {
        programDir = mkdtempSync(path.join(tmpdir(), "pulumi-termination-yarn-ts-"));
        writeFileSync(
          path.join(programDir, "Pulumi.yaml"),
          "name: e2e-yarn\nruntime: nodejs\nmain: index.ts\n",
        );
        writeFileSync(path.join(programDir, "index.ts"), indexTs);
        symlinkSync(path.join(installed, "node_modules"), path.join(programDir, "node_modules"));
        ns = "e2e-yarn";
      } else {
        programDir = createYamlProject(
          yamlProgram(path.join(installed, "node_modules", "pulumi-termination", "bin")),
          "yarn-yaml",
        );
        ns = "yarn-yaml";
      }
      dirs.push(programDir);
      const stack = await PulumiStack.create(programDir, binDir, door.startsWith("dynamic") ? "ts" : "yaml");
      stacks.push(stack);
      const id = await running(`e2e-${ns}`);
      await stack.setConfig({
        [`${ns}:applicationId`]: id,
        "yarn:resourceManagerUrl": proxy.url,
        "yarn:user": "alice",
      });
      proxy.requests.length = 0;

      const preview = await stack.pulumi(["preview"]);
      expect(preview.output).to.match(
        new RegExp(`YARN application e2e-${ns} \\(${id}\\).* RUNNING.*: will be killed`),
      );
      expect(proxy.kills(), "a preview sends no kill").to.deep.equal([]);
      expect((await rm.app(id, "alice")).state).to.equal("RUNNING");

      await stack.pulumi(["up", "--yes"]);
      expect(proxy.kills()).to.have.length(1);
      const outputs = await stack.outputs();
      const reported = await rm.app(id, "alice");
      expect(reported.state).to.equal("KILLED");
      expect(outputs).to.include({
        outcome: "terminated",
        state: reported.state,
        finalStatus: reported.finalStatus,
      });
      expect(outputs.killed).to.deep.equal([id]);

      proxy.requests.length = 0;
      const again = await stack.pulumi(["up", "--yes"]);
      expect(again.output).to.not.match(/kill-app.*(created|updated|replaced)/);
      await stack.pulumi(["refresh", "--yes"]);
      expect(proxy.kills(), "a second up and a refresh send no kill").to.deep.equal([]);

      // An unknown application: the preview fails on applicationId; nothing is sent to kill.
      const info = (await (await fetch(`${rm.urls[0]}/ws/v1/cluster/info`)).json()) as {
        clusterInfo: { id: number };
      };
      await stack.setConfig({ [`${ns}:applicationId`]: `application_${info.clusterInfo.id}_9999` });
      const unknown = await stack.pulumi(["preview"], { allowFailure: true });
      expect(unknown.code).to.not.equal(0);
      expect(unknown.output).to.match(/applicationId.*does not exist/);

      // An application that ended on its own: a replacement that kills nothing.
      const ended = await rm.submit({ user: "alice", name: "ended", run: { kind: "sleep", seconds: 0 } });
      await rm.waitForState(ended, ["FINISHED"]);
      await stack.setConfig({ [`${ns}:applicationId`]: ended });
      proxy.requests.length = 0;
      await stack.pulumi(["up", "--yes"]);
      expect(await stack.outputs()).to.include({
        outcome: "already-finished",
        state: "FINISHED",
        finalStatus: "SUCCEEDED",
      });
      expect(proxy.kills()).to.deep.equal([]);
    });
  }
});
