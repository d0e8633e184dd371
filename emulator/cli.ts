/**
 * Runs the emulator as a process: `npm run emulator -- [--port 8080] [--host 127.0.0.1]
 * [--seed emulator/seeds/demo.json] [--verbose]`. Prints one line when ready (scripts wait for
 * it), exits non-zero with a clear message when it cannot start, and stops cleanly on a signal.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmulator, type SeedState } from "./index";

const DEFAULT_SEED = path.join(__dirname, "seeds", "demo.json");
const USAGE = "usage: npm run emulator -- [--port 8080] [--host 127.0.0.1] [--seed path.json] [--verbose]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      seed: { type: "string", default: DEFAULT_SEED },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator({
    host: values.host,
    port: parsePort(values.port),
    seed: await readSeed(values.seed),
    verbose: values.verbose,
  });
  console.log(`emulator listening on ${emulator.url}`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535))
    throw new Error(`--port must be a port number from 0 to 65535, not "${value}"\n${USAGE}`);
  return port;
}

/** Parsed only: startEmulator validates the seed field by field and names what is wrong. */
async function readSeed(file: string): Promise<SeedState> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as SeedState;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the seed ${file}: ${reason}`, { cause: error });
  }
}

main().catch((error: unknown) => {
  console.error(`emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
