/**
 * 2. Through the engine: `pulumi up` of a program with N NodemanTaskTermination resources
 * (waitForTermination: false: one revoke POST each), through the dynamic provider and through the
 * provider plugin, versus the same program with a minimal dynamic provider that sends that one
 * POST and nothing else. Wall time of the `up`, and peak RSS of the provider processes. Also
 * `pulumi stack export` for the state size per resource.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { scratchDir, type Installed } from "../testing/pack";
import { repoRoot, run, runChecked } from "../testing/process";
import { benchSeed, bluekingConfig, secrets } from "./fixtures";
import { median } from "./stats";

export const skipCheckpoints = "PULUMI_SKIP_CHECKPOINTS=true";

export interface EngineRow {
  n: number;
  /** Set for a run with a non-default engine setting. */
  label?: string;
  /** Per-run wall times (ms), ABAB order. */
  termination: number[];
  floor: number[];
  /** The same N through the provider plugin (pulumi-resource-termination). */
  plugin: number[];
  terminationMs: number;
  floorMs: number;
  pluginMs: number;
  ratio: number;
  /** The plugin against the floor: median of the per-triple ratios. */
  pluginRatio: number;
  terminationPeakRssMb: number;
  floorPeakRssMb: number;
  pluginPeakRssMb: number;
  /** Requests the emulator saw per resource, by route (from the last run of each program). */
  requestsPerResource: {
    termination: Record<string, number>;
    floor: Record<string, number>;
    plugin: Record<string, number>;
  };
}

export interface ExportedState {
  program: string;
  resources: number;
  bytesPerResource: number;
  providerBytes: number;
  /** How many copies of __provider each resource holds (inputs, outputs). */
  providerCopies: number;
}

export interface EngineResult {
  skipped?: string;
  cliDir?: string;
  rows: EngineRow[];
  exported: ExportedState[];
}

const terminationProgram = `const { NodemanTaskTermination } = require("pulumi-termination");
const n = Number(process.env.BENCH_N);
for (let i = 0; i < n; i++) {
  new NodemanTaskTermination("t" + i, { subscriptionId: 1000 + i, waitForTermination: false });
}
`;

const floorProgram = `const pulumi = require("@pulumi/pulumi");
// The floor: a dynamic provider that sends the same revoke POST, with the same header, and nothing else.
const provider = {
  async create(inputs) {
    const response = await fetch(process.env.BENCH_REVOKE_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Bkapi-Authorization": process.env.BENCH_AUTHORIZATION },
      body: JSON.stringify({ subscription_id: inputs.subscriptionId }),
    });
    await response.text();
    return { id: String(inputs.subscriptionId), outs: { subscriptionId: inputs.subscriptionId, status: response.status } };
  },
};
const n = Number(process.env.BENCH_N);
for (let i = 0; i < n; i++) {
  new pulumi.dynamic.Resource(provider, "f" + i, { subscriptionId: 1000 + i }, undefined, "bench", "Floor");
}
`;

// The plugin's resources, declared by type token: the engine starts pulumi-resource-termination
// from the installed package (Pulumi.yaml `plugins`), configured from the same environment.
const pluginProgram = `const pulumi = require("@pulumi/pulumi");
const n = Number(process.env.BENCH_N);
for (let i = 0; i < n; i++) {
  new pulumi.CustomResource("termination:index:NodemanTaskTermination", "p" + i, { subscriptionId: 1000 + i, waitForTermination: false });
}
`;

function writeProgram(installed: Installed, name: string, source: string, projectExtra = ""): string {
  const dir = path.join(installed.dir, "programs", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "Pulumi.yaml"), `name: bench-${name}\nruntime: nodejs\n${projectExtra}`);
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: `bench-${name}`, private: true, main: "index.js" }),
  );
  writeFileSync(path.join(dir, "index.js"), source);
  return dir;
}

/** `bash scripts/pulumi-cli.sh` with a 2-minute limit: the last stdout line is the bin dir. */
async function obtainCli(): Promise<{ dir?: string; reason?: string }> {
  const script = path.join(repoRoot, "scripts", "pulumi-cli.sh");
  const result = await run("bash", [script], { cwd: repoRoot, timeoutMs: 120_000 });
  const last = result.stdout.trim().split("\n").pop() ?? "";
  if (result.code !== 0) {
    const why = result.timedOut
      ? "scripts/pulumi-cli.sh took longer than 2 minutes"
      : `scripts/pulumi-cli.sh exited ${result.code}`;
    return { reason: `${why}: ${result.stderr.trim().split("\n").pop() ?? ""}` };
  }
  return last === "" ? { reason: "scripts/pulumi-cli.sh printed no directory" } : { dir: last };
}

/** The offline environment of scripts/pulumi-env.sh (sourced for real), Node 22 and the CLI first on PATH. */
async function pulumiEnv(cliDir: string, extra: Record<string, string>): Promise<NodeJS.ProcessEnv> {
  const script = path.join(repoRoot, "scripts", "pulumi-env.sh");
  const dump = await runChecked("bash", ["-c", `. "${script}" && env -0`], {
    cwd: repoRoot,
    env: { ...process.env, PULUMI_SCRATCH: scratchDir("pulumi") },
  });
  const env: NodeJS.ProcessEnv = {};
  for (const entry of dump.stdout.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const node22 = path.join(repoRoot, "node_modules", ".bin");
  return { ...env, ...extra, PATH: [node22, cliDir, env.PATH].join(path.delimiter), NO_COLOR: "1" };
}

/** Sum of the RSS of every provider process (dynamic or plugin), polled every 100 ms; returns the peak (MB). */
function watchProviderRss(): { stop: () => Promise<number> } {
  let peakKb = 0;
  let stopped = false;
  const poll = async () => {
    const { stdout } = await run("ps", ["-eo", "rss=,args="]);
    let kb = 0;
    for (const line of stdout.split("\n")) {
      // The launcher's `node -e require.resolve('…/dynamic-provider')` lives for a moment: not the provider.
      const provider = line.includes("dynamic-provider") || line.includes("pulumi-resource-termination");
      if (provider && !line.includes("require.resolve")) kb += Number(line.trim().split(/\s+/)[0]) || 0;
    }
    peakKb = Math.max(peakKb, kb);
  };
  const loop = (async () => {
    while (!stopped) {
      await poll();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return peakKb / 1024;
    },
  };
}

/** `pulumi ARGS --non-interactive`, with at most 30 minutes per command; throws unless it exits 0. */
function must(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return runChecked("pulumi", [...args, "--non-interactive"], { cwd, env, timeoutMs: 30 * 60_000 });
}

function exportedState(program: string, text: string): ExportedState {
  const deployment = JSON.parse(text).deployment as { resources: Record<string, unknown>[] };
  const dynamic = deployment.resources.filter((r) => String(r.type).startsWith("pulumi-nodejs:dynamic"));
  const bytes = dynamic.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
  const first = dynamic[0] as { inputs?: Record<string, string>; outputs?: Record<string, string> };
  const provider = first.inputs?.__provider ?? "";
  const copies = [first.inputs?.__provider, first.outputs?.__provider].filter((p) => p !== undefined).length;
  return {
    program,
    resources: dynamic.length,
    bytesPerResource: bytes / dynamic.length,
    providerBytes: provider.length,
    providerCopies: copies,
  };
}

export async function runEngine(options: {
  installed: Installed | undefined;
  sizes: number[];
  runs: number;
  log: (line: string) => void;
}): Promise<EngineResult> {
  const { log } = options;
  const cli = await obtainCli();
  if (!cli.dir) {
    const skipped = `engine benchmark skipped: ${cli.reason}`;
    console.log(skipped);
    return { skipped, rows: [], exported: [] };
  }
  if (!options.installed)
    return {
      skipped: "engine benchmark skipped: the package could not be packed and installed",
      rows: [],
      exported: [],
    };
  const emulator = await startEmulator({ seed: benchSeed(Math.max(...options.sizes)) });
  const config = bluekingConfig(emulator.url, "apigw");
  const env = await pulumiEnv(cli.dir, {
    BK_APP_CODE: config["blueking:appCode"],
    BK_APP_SECRET: config["blueking:appSecret"],
    BK_USERNAME: config["blueking:username"],
    BK_TOKEN: config["blueking:bkToken"],
    BK_API_URL_TMPL: config["blueking:apigwUrlTemplate"],
    BENCH_REVOKE_URL: `${emulator.url}/api/bk-nodeman/prod/backend/api/subscription/revoke/`,
    BENCH_AUTHORIZATION: JSON.stringify({
      bk_app_code: config["blueking:appCode"],
      bk_app_secret: secrets.appSecret,
      bk_username: "admin",
      bk_token: secrets.bkToken,
    }),
  });
  const programs = {
    termination: writeProgram(options.installed, "termination", terminationProgram),
    floor: writeProgram(options.installed, "floor", floorProgram),
    plugin: writeProgram(
      options.installed,
      "plugin",
      pluginProgram,
      `plugins:\n  providers:\n    - name: termination\n      path: ${path.join(options.installed.dir, "node_modules", "pulumi-termination", "bin")}\n`,
    ),
  };
  let stackCount = 0;
  const exported: ExportedState[] = [];
  /** One `pulumi up` on a fresh stack and a fresh emulator state; returns wall ms and peak provider RSS. */
  const up = async (
    program: keyof typeof programs,
    n: number,
    extraEnv: Record<string, string> = {},
    exportState = false,
  ) => {
    const cwd = programs[program];
    const stack = `s${++stackCount}`;
    const runEnv = { ...env, ...extraEnv, BENCH_N: String(n) };
    await must(["stack", "init", stack], cwd, runEnv);
    emulator.reset();
    const rss = watchProviderRss();
    const result = await must(["up", "--yes", "--skip-preview", "--stack", stack], cwd, runEnv);
    const peakMb = await rss.stop();
    const revoked = emulator.effectiveCount("nodeman.revoke");
    const requests: Record<string, number> = {};
    for (const r of emulator.requests()) requests[r.route] = (requests[r.route] ?? 0) + 1 / n;
    if (revoked !== n) throw new Error(`${program} N=${n}: ${revoked} revokes took effect, expected ${n}`);
    if (exportState)
      exported.push(
        exportedState(program, (await must(["stack", "export", "--stack", stack], cwd, runEnv)).stdout),
      );
    await must(["stack", "rm", "--yes", "--force", stack], cwd, runEnv);
    return { ms: result.ms, peakMb, requests };
  };
  const rows: EngineRow[] = [];
  try {
    await must(["login", env.PULUMI_BACKEND_URL as string], programs.floor, env);
    log(`pulumi CLI from ${cli.dir}; warming up`);
    await up("termination", 1);
    await up("floor", 1);
    await up("plugin", 1);
    /** ABCABC runs of the three programs at one N; `extraEnv` goes to the CLI (and so to the engine). */
    const measure = async (n: number, extraEnv: Record<string, string> = {}, label?: string) => {
      const a: Awaited<ReturnType<typeof up>>[] = [];
      const b: Awaited<ReturnType<typeof up>>[] = [];
      const c: Awaited<ReturnType<typeof up>>[] = [];
      for (let i = 0; i < options.runs; i++) {
        const exportState = i === 0 && n === options.sizes[0] && !label;
        a.push(await up("termination", n, extraEnv, exportState));
        b.push(await up("floor", n, extraEnv, exportState));
        c.push(await up("plugin", n, extraEnv));
        log(
          `engine N=${n}${label ? ` ${label}` : ""} run ${i + 1}: termination ${a[i].ms.toFixed(0)} ms, floor ${b[i].ms.toFixed(0)} ms, plugin ${c[i].ms.toFixed(0)} ms`,
        );
      }
      rows.push({
        n,
        label,
        termination: a.map((r) => r.ms),
        floor: b.map((r) => r.ms),
        plugin: c.map((r) => r.ms),
        terminationMs: median(a.map((r) => r.ms)),
        floorMs: median(b.map((r) => r.ms)),
        pluginMs: median(c.map((r) => r.ms)),
        ratio: median(a.map((r, i) => r.ms / b[i].ms)),
        pluginRatio: median(c.map((r, i) => r.ms / b[i].ms)),
        terminationPeakRssMb: Math.max(...a.map((r) => r.peakMb)),
        floorPeakRssMb: Math.max(...b.map((r) => r.peakMb)),
        pluginPeakRssMb: Math.max(...c.map((r) => r.peakMb)),
        requestsPerResource: {
          termination: a[a.length - 1].requests,
          floor: b[b.length - 1].requests,
          plugin: c[c.length - 1].requests,
        },
      });
    };
    for (const n of options.sizes) await measure(n);
    // The file backend rewrites the whole snapshot after every step, O(N) each: without those
    // checkpoints, what remains is the engine's and the providers' own per-resource cost.
    await measure(Math.max(...options.sizes), { PULUMI_SKIP_CHECKPOINTS: "true" }, skipCheckpoints);
  } finally {
    await emulator.close();
  }
  return { cliDir: cli.dir, rows, exported };
}
