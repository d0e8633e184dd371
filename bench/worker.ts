/**
 * The in-process benchmarks, compiled to plain JS by run.ts and run with plain `node`, as the
 * dynamic-provider process runs the package (a TypeScript loader would add its own module-loading
 * cost to every `require`). Usage: node worker.js <section> '<options JSON>'; logs to stderr, prints
 * the result as JSON on stdout.
 */
import { providerLoop, runOverhead, type Case } from "./overhead";
import { profile } from "./profile";
import { runRateLimit } from "./ratelimit";

const log = (line: string) => process.stderr.write(`  ${line}\n`);

async function main(section: string, options: Record<string, unknown>): Promise<unknown> {
  switch (section) {
    case "overhead":
      return runOverhead({ runs: options.runs as number, sizes: options.sizes as number[], log });
    case "profile": {
      const c = options.case as Case;
      const loop = await providerLoop(c, options.n as number);
      try {
        await loop.run(); // warm-up: JIT, sockets
        await loop.run();
        return await profile(`${c.target}-c${c.concurrency}`, loop.run);
      } finally {
        await loop.close();
      }
    }
    case "ratelimit":
      return runRateLimit({ n: options.n as number, parallel: options.parallel as number[], log });
    default:
      throw new Error(`unknown section ${section}`);
  }
}

main(process.argv[2], JSON.parse(process.argv[3] ?? "{}")).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
