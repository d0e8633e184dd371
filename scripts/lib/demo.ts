/**
 * What both demos (`npm run demo`, `npm run demo:yaml`) do around their own steps: build the
 * package the program runs, load the demo seed, and exit non-zero with the reason when a step fails.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { SeedState } from "../../emulator/seed";
import { repoRoot, run } from "./pulumi";

/** The demos run the provider from dist/, so they build it first. */
export async function buildPackage(): Promise<void> {
  const build = await run("npm", ["run", "build", "--silent"], { cwd: repoRoot, echo: true });
  if (build.code !== 0) throw new Error("npm run build failed");
}

/** The seed README's "The emulator" describes: a fresh copy, the caller may adjust it. */
export function loadDemoSeed(): SeedState {
  return JSON.parse(readFileSync(path.join(repoRoot, "emulator", "seeds", "demo.json"), "utf8")) as SeedState;
}

export function runDemo(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
