import { expect } from "chai";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { removeScratchDirs, scratchDir } from "../../testing/pack";
import { whichOnPath } from "../../testing/process";
import { obtainPulumiCli } from "../../scripts/lib/pulumi";

describe("testing/process: which executable a command name runs", () => {
  after(removeScratchDirs);

  function dirWith(label: string, names: string[], mode = 0o755): string {
    const dir = scratchDir(label);
    for (const name of names) {
      writeFileSync(path.join(dir, name), "#!/bin/sh\n");
      chmodSync(path.join(dir, name), mode);
    }
    return dir;
  }

  it("is the first directory of PATH that holds it, not a directory put first without it", () => {
    // scripts/pulumi-cli.sh may print a directory that holds only the YAML host: pulumi then comes from PATH.
    const yamlOnly = dirWith("yaml-only", ["pulumi-language-yaml"]);
    const onPath = dirWith("on-path", ["pulumi"]);
    const later = dirWith("later", ["pulumi"]);
    const env = { PATH: [yamlOnly, onPath, later].join(path.delimiter) };
    expect(whichOnPath("pulumi", env)).to.equal(path.join(onPath, "pulumi"));
    expect(whichOnPath("pulumi-language-yaml", env)).to.equal(path.join(yamlOnly, "pulumi-language-yaml"));
  });

  it("passes over a file that is not executable and a directory of that name; undefined when none", () => {
    const notExecutable = dirWith("not-executable", ["pulumi"], 0o644);
    const directory = scratchDir("directory");
    mkdirSync(path.join(directory, "pulumi"));
    const real = dirWith("real", ["pulumi"]);
    expect(whichOnPath("pulumi", { PATH: [notExecutable, directory, real].join(path.delimiter) })).to.equal(
      path.join(real, "pulumi"),
    );
    expect(whichOnPath("pulumi", { PATH: [notExecutable, directory].join(path.delimiter) })).to.equal(
      undefined,
    );
    expect(whichOnPath("pulumi", {})).to.equal(undefined);
  });
});

describe("scripts/lib/pulumi: obtaining the CLI shows a build's progress as it happens", () => {
  after(removeScratchDirs);

  it("hands each stderr line to onProgress before the script ends, and returns its last stdout line", async () => {
    // A stand-in for scripts/pulumi-cli.sh during a cold build: progress on stderr, then a pause, then the directory.
    const dir = scratchDir("fake-cli-script");
    const script = path.join(dir, "pulumi-cli.sh");
    writeFileSync(
      script,
      'echo "[pulumi-cli] building pulumi v3.274.1" >&2\necho "[pulumi-cli] [30s] still compiling" >&2\nsleep 1\necho /opt/pulumi/bin\n',
    );
    const seen: Array<{ line: string; at: number }> = [];
    const begun = Date.now();
    const bin = await obtainPulumiCli({
      script,
      onProgress: (line) => seen.push({ line, at: Date.now() - begun }),
    });
    const ended = Date.now() - begun;
    expect(bin).to.equal("/opt/pulumi/bin");
    expect(seen.map((s) => s.line)).to.deep.equal([
      "[pulumi-cli] building pulumi v3.274.1",
      "[pulumi-cli] [30s] still compiling",
    ]);
    // Streamed, not collected at the end: the lines came at least the script's pause before it ended.
    expect(ended - (seen.at(-1)?.at ?? ended)).to.be.at.least(500);
  });

  it("fails naming the script's exit status and its stderr when it provides no CLI", async () => {
    const dir = scratchDir("fake-cli-script-fails");
    const script = path.join(dir, "pulumi-cli.sh");
    writeFileSync(script, 'echo "go: module download refused (403)" >&2\nexit 3\n');
    let caught: unknown;
    await obtainPulumiCli({ script }).catch((error: unknown) => (caught = error));
    expect(String(caught))
      .to.match(/exited 3/)
      .and.match(/module download refused \(403\)/);
  });
});
