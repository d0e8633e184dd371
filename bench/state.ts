/**
 * 3. State cost: the bytes of `__provider` (the serialized provider the engine stores with every
 * resource) and of the outputs, per resource. `__provider` is made the way @pulumi/pulumi's
 * dynamic.Resource makes it (runtime.serializeFunction(() => provider, {allowSecrets: true})),
 * and also captured from real resource registrations under Pulumi mocks, in a project where the
 * package is installed from its tarball; then again from this checkout's build (development), and
 * for a naive provider that captures the package's helpers by value.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { benchSeed, terminations } from "./fixtures";
import { scratchDir, type Installed } from "../testing/pack";
import { repoRoot, run } from "../testing/process";

export const deepPathPattern = /node_modules|\/dist\/|\.cjs/g;

export interface Serialized {
  label: string;
  bytes?: number;
  deepPaths?: string[];
  error?: string;
}

export interface StateResult {
  serialized: Serialized[];
  /** ms per resource to register N resources under mocks: as shipped vs one shared provider object. */
  registration: {
    mode: string;
    n: number;
    asShippedMsPerResource: number;
    sharedMsPerResource: number;
    providerBytes: number;
  }[];
  outputs: { label: string; bytes: number }[];
}

/**
 * Runs in a project (plain node): prints one JSON line. `pkg` is the package's dist directory;
 * `pulumi` resolves from the project. Never loads anything by the package's deep paths except
 * serializable.js, whose export is not public.
 */
const probe = String.raw`
const path = require("path");
const [pkg, pulumiPath, mode] = process.argv.slice(2);
const pulumi = require(pulumiPath);
const { serializableProvider } = require(path.join(pkg, "core", "serializable.js"));
const deep = (text) => [...new Set(text.match(/node_modules|\/dist\/|\.cjs/g) || [])];
const serialize = async (label, make) => {
  try {
    const provider = make();
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return { label, bytes: Buffer.byteLength(sf.text), deepPaths: deep(sf.text) };
  } catch (e) {
    // The serializer's message ends with the reason; keep that, not the chain of captures above it.
    const lines = String(e.message || e).split("Function code:")[0].trim().split("\n");
    return { label, error: lines.slice(-2).map((l) => l.trim()).join(" ").slice(0, 240) };
  }
};
// Naive: an object literal whose methods use the package's lifecycle and MRS target, imported
// from its files and captured by value (not loaded by name in the provider process).
const naive = () => {
  const { mrsTarget } = require(path.join(pkg, "targets", "mrs", "target.js"));
  const { TerminationProvider } = require(path.join(pkg, "core", "provider.js"));
  let instance;
  const p = () => {
    if (!instance) instance = new TerminationProvider(mrsTarget);
    return instance;
  };
  return {
    configure: (r) => p().configure(r), check: (o, n) => p().check(o, n), diff: (i, o, n) => p().diff(i, o, n),
    create: (n) => p().create(n), read: (i, s) => p().read(i, s), update: (i, o, n) => p().update(i, o, n),
    delete: (i, s) => p().delete(i, s),
  };
};
(async () => {
  const out = { serialized: [] };
  out.serialized.push(await serialize(mode + ": MrsJobTermination __provider", () => serializableProvider("mrsJobTermination")));
  out.serialized.push(await serialize(mode + ": NodemanTaskTermination __provider", () => serializableProvider("nodemanTaskTermination")));
  out.serialized.push(await serialize(mode + ": naive provider (helpers captured by value)", naive));
  {
    // Real registrations under mocks: what dynamic.Resource puts in __provider, and what it costs.
    const inputs = [];
    pulumi.runtime.setMocks({
      newResource: (args) => { inputs.push(args.inputs); return { id: args.name, state: args.inputs }; },
      call: () => ({}),
    }, "bench", "bench", false);
    const { MrsJobTermination } = require(path.join(pkg, "index.js"));
    const n = 40;
    const register = async (make) => {
      const started = performance.now();
      const resources = Array.from({ length: n }, (_, i) => make(i));
      await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
      return (performance.now() - started) / n;
    };
    await register((i) => new MrsJobTermination("warm" + i, { clusterId: "c", jobExecutionId: "j" + i }));
    const asShipped = await register((i) => new MrsJobTermination("a" + i, { clusterId: "c", jobExecutionId: "j" + i }));
    const shared = serializableProvider("mrsJobTermination");
    const sharedMs = await register((i) => new pulumi.dynamic.Resource(shared, "b" + i, { clusterId: "c", jobExecutionId: "j" + i }, undefined, "termination", "MrsJobTermination"));
    out.registration = { mode, n, asShippedMsPerResource: asShipped, sharedMsPerResource: sharedMs, providerBytes: Buffer.byteLength(inputs[inputs.length - 1].__provider) };
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function runProbe(
  pkg: string,
  pulumiPath: string,
  mode: string,
): Promise<Pick<StateResult, "serialized"> & { registration: StateResult["registration"][number] }> {
  const dir = scratchDir("probe");
  const file = path.join(dir, "probe.js");
  writeFileSync(file, probe);
  const result = await run(process.execPath, [file, pkg, pulumiPath, mode], { cwd: dir });
  if (result.code !== 0)
    throw new Error(result.stderr.trim().split("\n")[0] || `probe exited ${result.code}`);
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** Bytes of the outputs `create` returns (what the engine stores as outputs, besides `__provider`). */
async function outputSizes(): Promise<StateResult["outputs"]> {
  const emulator = await startEmulator({ seed: benchSeed(4) });
  try {
    const out: StateResult["outputs"] = [];
    for (const wait of [false, true]) {
      for (const [target, type] of [
        ["MRS", "MrsJobTermination"],
        ["NodeMan", "NodemanTaskTermination"],
      ] as const) {
        const create = await terminations(target, emulator.url, { wait });
        const { outs } = await create(wait ? 1 : 0);
        out.push({
          label: `${type} outputs (waitForTermination: ${wait})`,
          bytes: JSON.stringify(outs).length,
        });
      }
    }
    return out;
  } finally {
    await emulator.close();
  }
}

export async function runState(
  installed: Installed | undefined,
  log: (line: string) => void,
): Promise<StateResult> {
  const serialized: Serialized[] = [];
  const registration: StateResult["registration"] = [];
  const probes: [string, string, string][] = [
    // This checkout's build (dist/, made by packAndInstall's `npm run build`), not under node_modules.
    ["dev checkout", path.join(repoRoot, "dist"), path.join(repoRoot, "node_modules", "@pulumi", "pulumi")],
  ];
  if (installed) {
    const modules = path.join(installed.dir, "node_modules");
    const dist = path.join(modules, "pulumi-termination", "dist");
    probes.unshift(["installed", dist, path.join(modules, "@pulumi", "pulumi")]);
  }
  for (const [mode, pkg, pulumi] of probes) {
    try {
      const result = await runProbe(pkg, pulumi, mode);
      serialized.push(...result.serialized);
      registration.push(result.registration);
    } catch (error) {
      serialized.push({ label: `${mode}: probe`, error: (error as Error).message.slice(0, 240) });
    }
  }
  for (const s of serialized)
    log(`${s.label}: ${s.error ?? `${s.bytes} B, deep paths: ${s.deepPaths?.join(" ") || "none"}`}`);
  return { serialized, registration, outputs: await outputSizes() };
}
