import { expect } from "chai";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { removeScratchDirs, scratchDir } from "../../testing/pack";
import { whichOnPath } from "../../testing/process";

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
