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

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
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
