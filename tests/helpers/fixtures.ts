/**
 * The provider tests' fixtures: the shared seed (testing/seed.ts), and a provider wired to it with a
 * capturing reporter and fast clocks.
 */
import { startEmulator, type Emulator } from "../../emulator";
import type { Target } from "../../provider/core/contract";
import type { TerminationProvider } from "../../provider/core/provider";
import { configuredProvider } from "../../testing/provider";
import { allSecretValues, baseSeed } from "../../testing/seed";

export {
  accessKey,
  allSecretValues,
  baseSeed,
  bluekingConfig,
  clusterId,
  huaweiConfig,
  projectId,
  secrets,
  seedWithout,
} from "../../testing/seed";
export { inParallel } from "../../testing/parallel";

/**
 * An emulator on the base seed for each test of the enclosing describe, handed to `set`; after the
 * test, the one `get` returns is closed (a test may close it and start its own).
 */
export function emulatorPerTest(held: { set(emulator: Emulator): void; get(): Emulator | undefined }): void {
  beforeEach(async () => {
    held.set(await startEmulator({ seed: baseSeed() }));
  });
  afterEach(async () => {
    await held.get()?.close();
  });
}

export interface TestProvider<I extends object, S> {
  provider: TerminationProvider<I, S>;
  lines: string[];
}

/** A provider on plain config, a private environment and fast clocks, whose output is captured. */
export async function testProvider<I extends object, S>(
  target: Target<I, S>,
  config: Record<string, string>,
  options: { env?: Record<string, string>; timeScale?: number } = {},
): Promise<TestProvider<I, S>> {
  const lines: string[] = [];
  const scale = options.timeScale ?? 1;
  const provider = await configuredProvider(target, config, {
    reporter: { info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) },
    env: options.env ?? {},
    // timeScale < 1 shrinks backoff and poll sleeps; deadlines stay real.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.ceil(ms * scale))),
    pollIntervalMs: 20,
    maxPollIntervalMs: 50,
  });
  return { provider, lines };
}

/** Asserts that no secret value occurs in any of the texts. */
export function findSecrets(...texts: unknown[]): string[] {
  const haystack = texts
    .map((t) => (typeof t === "string" ? t : (JSON.stringify(t) ?? String(t))))
    .join("\n");
  return allSecretValues.filter((secret) => haystack.includes(secret));
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
