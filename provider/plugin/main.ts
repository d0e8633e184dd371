/**
 * Entry point of `pulumi-resource-termination`: serves the provider on a free port of 127.0.0.1
 * and prints that port, the one line the engine reads from stdout. The engine's address is the
 * first argument that is not a flag (the engine may add flags such as `--logtostderr`).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PluginServer } from "./server";

/** The package version, from the package.json two levels up (beside `dist/` or `provider/`). */
export function packageVersion(): string {
  const file = path.join(__dirname, "..", "..", "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** How often the plugin looks whether its engine is still there. */
const parentCheckMs = 1000;

/**
 * Ends the plugin soon after the engine that started it is gone (a `pulumi` killed with SIGKILL
 * cannot stop its plugins): the process is then re-parented (to init or a subreaper), and nobody is
 * left to record what it would do, so it must not go on polling or sending. A plugin started by
 * hand (`PULUMI_DEBUG_PROVIDERS`) whose parent is init from the start is left alone.
 */
export function exitWhenOrphaned(
  exit: (message: string) => void = (message) => {
    process.stderr.write(message);
    process.exit(1);
  },
  intervalMs = parentCheckMs,
): NodeJS.Timeout | undefined {
  const parent = process.ppid;
  if (parent <= 1) return undefined;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      exit(
        `pulumi-resource-termination: the engine (process ${parent}) is gone; stopping, nothing more is sent\n`,
      );
    }
  }, intervalMs);
  // The check alone never keeps the plugin running.
  timer.unref();
  return timer;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // First, so that the parent it watches is the engine that started it.
  exitWhenOrphaned();
  const engineAddress = argv.find((arg) => !arg.startsWith("-"));
  const server = new PluginServer({ engineAddress, version: packageVersion() });
  const { port } = await server.listen();
  process.stdout.write(`${port}\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`pulumi-resource-termination: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
