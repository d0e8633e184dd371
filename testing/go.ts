/**
 * The project's Go programs, built once per change and cached by scripts/go-binary.sh (which says
 * where, and what the hash covers): the SDK generator and the Go end-to-end program.
 */
import * as path from "node:path";
import { repoRoot, run, whichOnPath } from "./process";

/**
 * The binary of the Go module in `moduleDir` (from the repository root), rebuilt when it or one of
 * `hashedDirs` (directories its go.mod replaces a module with) changes. Minutes cold, instant cached.
 */
export async function goBinary(moduleDir: string, hashedDirs: string[] = []): Promise<string> {
  const script = path.join(repoRoot, "scripts", "go-binary.sh");
  const args = [moduleDir, ...hashedDirs].map((dir) => path.join(repoRoot, dir));
  const result = await run("bash", [script, ...args], { env: process.env, timeoutMs: 30 * 60_000 });
  const binary = result.stdout.trim().split("\n").at(-1) ?? "";
  if (result.code !== 0 || binary === "")
    throw new Error(`scripts/go-binary.sh ${moduleDir} exited ${result.code}:\n${result.stderr.trim()}`);
  return binary;
}

/**
 * Like goBinary; without `go` on PATH it skips the calling suite with a message outside CI, and
 * fails it with CI=true (CI must run the Go cases).
 */
export async function goBinaryOrSkip(
  context: Mocha.Context,
  moduleDir: string,
  hashedDirs: string[] = [],
): Promise<string> {
  if (!whichOnPath("go", process.env) && process.env.CI !== "true") {
    console.log(`      skipped: \`go\` is not on PATH, so ${moduleDir} cannot be built. Install Go.`);
    context.skip();
  }
  return goBinary(moduleDir, hashedDirs);
}
