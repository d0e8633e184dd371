/** BENCHMARKS.md and its chart from the results of one run. */
import type { EngineResult } from "./engine";
import type { Case, OverheadResult, OverheadRow } from "./overhead";
import type { ProfileSummary } from "./profile";
import type { RateLimitRow } from "./ratelimit";
import { ratePerSecond } from "./ratelimit";
import type { StateResult } from "./state";
import { fmt, table } from "./stats";
import { svgChart, type Panel } from "./svg";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  loadStart: number[];
  loadEnd: number[];
  /** The commit measured (at the start of the run). */
  code: string;
}

export interface Results {
  runs: number;
  overhead?: OverheadResult;
  profiles: { case: Case; summary: ProfileSummary }[];
  rateLimit?: RateLimitRow[];
  state?: StateResult;
  engine?: EngineResult;
  notes: string[];
}

export const overheadGoal = 1.1;
export const providerBytesGoal = 2048;

const caseLabel = (c: Case) =>
  `${c.concurrency === 1 ? "sequential" : `${c.concurrency} in flight`}${c.maxConcurrency ? ` (maxConcurrency ${c.maxConcurrency})` : ""}`;
const ops = (n: number, ms: number) => fmt.int(n / (ms / 1000));
const verdict = (ok: boolean) => (ok ? "yes" : "**no**");
const routes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([route, count]) => `${Number(count.toFixed(2))} × ${route}`)
    .join(" + ");

function overheadSection(o: OverheadResult, runs: number): string[] {
  const maxN = Math.max(...o.rows.map((r) => r.n));
  const spread = (r: OverheadRow) => {
    const ratios = r.a.map((a, i) => a / r.b[i]).sort((x, y) => x - y);
    return `${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}`;
  };
  const perTermination = Object.entries(o.requestsPerTermination)
    .map(
      ([t, routes]) =>
        `${t}: ${Object.entries(routes)
          .map(([r, c]) => `${c} × ${r}`)
          .join(" + ")}`,
    )
    .join("; ");
  const headline = o.rows.filter((r) => r.n === maxN);
  const sizes = [...new Set(o.rows.map((r) => r.n))].sort((a, b) => a - b);
  const sweepCases = o.rows.filter((r) => r.n === sizes[0]);
  return [
    "## 1. Provider overhead: provider object vs raw axios (floor)",
    "",
    `\`create\` with \`waitForTermination: false\` through \`new TerminationProvider(target, …)\` (configured like the engine does, silent reporter), against the emulator in the same process with no delays, versus the floor: the same requests sent with raw axios by its cheapest path, which is also the provider's (keep-alive agent, raw bodies both ways, \`maxRedirects: 0\`; the provider also sets a 30 s timeout and an abort signal per request, the floor does not). Requests per termination, read from the emulator's request log and checked identical (routes, headers, bodies, statuses) for both before timing: ${perTermination}. MRS requests are signed with \`provider/signing/sdkHmacSha256.ts\` \`signRequest\` in both; NodeMan goes through the API gateway route with the same \`X-Bkapi-Authorization\` header. Medians of ${runs} ABAB-interleaved runs after one warm-up each; the ratio is the median of the per-pair ratios (range in brackets). Goal: ratio ≤ ${overheadGoal.toFixed(2)}.`,
    "",
    table(
      [
        "target",
        "concurrency",
        "N",
        "provider",
        "floor",
        "provider ops/s",
        "floor ops/s",
        "ratio provider/floor",
        "pair range",
        "within 10%",
      ],
      headline.map((r) => [
        r.target,
        caseLabel(r),
        r.n,
        fmt.ms(r.medianA),
        fmt.ms(r.medianB),
        ops(r.n, r.medianA),
        ops(r.n, r.medianB),
        `**${fmt.ratio(r.ratio)}** (${fmt.pct(r.ratio)})`,
        spread(r),
        verdict(r.ratio <= overheadGoal),
      ]),
    ),
    "",
    "The provider's HTTP layer allows 8 requests in flight per endpoint by default (`termination:maxConcurrency`); with 16 terminations in flight the floor has 16 requests in flight, hence the extra row with `maxConcurrency 16`.",
    "",
    "Time against N (medians; chart: [BENCHMARKS.svg](BENCHMARKS.svg)):",
    "",
    table(
      ["target", "concurrency", ...sizes.map((n) => `N=${n} provider / floor (ratio)`)],
      sweepCases.map((c) => [
        c.target,
        caseLabel(c),
        ...sizes.map((n) => {
          const r = o.rows.find(
            (x) => x.n === n && x.target === c.target && x.concurrency === c.concurrency && !x.maxConcurrency,
          );
          return r ? `${fmt.ms(r.medianA)} / ${fmt.ms(r.medianB)} (${r.ratio.toFixed(2)})` : "";
        }),
      ]),
    ),
    "",
  ];
}

function profileSection(profiles: Results["profiles"]): string[] {
  if (profiles.length === 0) return [];
  const out = [
    "### Profile of the worst case of each target (run when it is above the goal, or with `--profile`)",
    "",
    "V8's sampling CPU profiler (the one behind `node --cpu-prof`, driven through `node:inspector` around the provider-only loop of 1000 terminations after two warm-up loops; the emulator runs in the same process and shows up too). The .cpuprofile files open in Chrome DevTools.",
    "",
  ];
  for (const { case: c, summary: s } of profiles) {
    out.push(
      `**${c.target}, ${caseLabel(c)}, 1000 terminations**: ${fmt.ms(s.totalMs)} profiled (\`${s.file}\`). ` +
        `\`require(…)\` called from provider/ code, inclusive of module resolution: **${fmt.ms(s.requireFromProviderMs)}** (${((s.requireFromProviderMs / s.totalMs) * 100).toFixed(1)}% of the loop).`,
      "",
      table(
        ["where (self time)", "ms", "share"],
        s.byArea.map((a) => [a.area, a.ms.toFixed(0), `${(a.share * 100).toFixed(1)}%`]),
      ),
      "",
      table(
        ["top self time, all code", "file", "ms", "share"],
        s.top
          .slice(0, 8)
          .map((f) => [
            `\`${f.name}\``,
            f.file || "(native)",
            f.ms.toFixed(1),
            `${(f.share * 100).toFixed(1)}%`,
          ]),
      ),
      "",
      table(
        ["top self time in provider/", "file", "ms", "share"],
        s.topProvider.map((f) => [
          `\`${f.name}\``,
          f.file,
          f.ms.toFixed(1),
          `${(f.share * 100).toFixed(1)}%`,
        ]),
      ),
      "",
    );
  }
  return out;
}

function engineSection(e: EngineResult): string[] {
  const out = ["## 2. Through the engine: `pulumi up`", ""];
  if (e.skipped) return [...out, e.skipped, ""];
  const rows = e.rows.filter((r) => !r.label);
  const special = e.rows.filter((r) => r.label);
  const marginal = (key: "terminationMs" | "floorMs", i: number) =>
    fmt.ms((rows[i][key] - rows[i - 1][key]) / (rows[i].n - rows[i - 1].n));
  const last = rows[rows.length - 1];
  out.push(
    `\`pulumi up --yes --skip-preview --non-interactive\` (CLI from \`${e.cliDir}\`, offline env of scripts/pulumi-env.sh, local file backend, a fresh stack per run) of a program with N \`NodemanTaskTermination\` resources (\`waitForTermination: false\`: one revoke POST each) versus the same program with a minimal dynamic provider whose \`create\` sends that POST with \`fetch\` and nothing else. The package is installed from its \`npm pack\` tarball with @pulumi/pulumi 3.270.0. Wall time of the \`up\` (medians, ABAB), peak RSS summed over \`dynamic-provider\` processes (polled every 100 ms). Every run checked: N revokes took effect.`,
    "",
    table(
      [
        "N",
        "engine setting",
        "termination",
        "floor",
        "ratio",
        "per resource: termination / floor",
        "marginal per resource: termination / floor",
        "peak provider RSS: termination / floor",
      ],
      [...rows, ...special].map((r) => {
        const i = rows.indexOf(r);
        return [
          r.n,
          r.label ? `\`${r.label}\`` : "default",
          fmt.ms(r.terminationMs),
          fmt.ms(r.floorMs),
          `**${fmt.ratio(r.ratio)}**`,
          `${fmt.ms(r.terminationMs / r.n)} / ${fmt.ms(r.floorMs / r.n)}`,
          i > 0 ? `${marginal("terminationMs", i)} / ${marginal("floorMs", i)}` : "",
          `${r.terminationPeakRssMb.toFixed(0)} MB / ${r.floorPeakRssMb.toFixed(0)} MB`,
        ];
      }),
    ),
    "",
    "Marginal per resource = (t(N) − t(previous N)) / ΔN: constant means linear growth, growing means superlinear. The last row repeats the largest N with the engine's per-step checkpoints off (the file backend rewrites the whole snapshot after every step): growth that both programs share and that goes away there is the engine's, not the provider's.",
    "",
    `Requests per resource seen by the emulator (N=${last.n}): termination ${routes(last.requestsPerResource.termination)}; floor ${routes(last.requestsPerResource.floor)}.`,
    "",
  );
  return out;
}

function stateSection(s: StateResult, e: EngineResult | undefined): string[] {
  const out = [
    "## 3. State cost per resource",
    "",
    '`__provider` is made as @pulumi/pulumi\'s `dynamic.Resource` makes it (`runtime.serializeFunction(() => provider, {allowSecrets: true})`) on `serializableProvider("mrsJobTermination" | "nodemanTaskTermination")` from provider/serializable.ts: from a project where the package is installed from its tarball, and from this checkout\'s build (dist/, development). The naive provider is an object literal whose methods use the package\'s `TerminationProvider` and `mrsTarget`, imported from its files and captured by value. Goal: under 2 KB and no `node_modules`, `/dist/`, `.cjs` in the text.',
    "",
    table(
      ["serialized provider", "bytes", "deep module paths", "under 2 KB and clean"],
      s.serialized.map((x) => [
        x.label,
        x.error ? `fails: ${x.error.replace(/\|/g, "\\|")}` : fmt.int(x.bytes ?? 0),
        x.error ? "" : x.deepPaths?.length ? x.deepPaths.map((p) => `\`${p}\``).join(" ") : "none",
        x.error ? "**no**" : verdict((x.bytes ?? 0) < providerBytesGoal && !x.deepPaths?.length),
      ]),
    ),
    "",
  ];
  if (s.registration.length > 0) {
    out.push(
      "Cost in the program process: registering `MrsJobTermination` resources under Pulumi mocks, per resource, as shipped versus every resource passing one shared provider object (dynamic.Resource caches the serialization per provider object, so a provider object made anew for every resource is serialized anew every time):",
      "",
      table(
        [
          "package",
          "resources",
          "ms per resource, as shipped",
          "ms per resource, one shared provider object",
          "__provider bytes (as registered)",
        ],
        s.registration.map((r) => [
          r.mode,
          r.n,
          `**${r.asShippedMsPerResource.toFixed(1)}**`,
          r.sharedMsPerResource.toFixed(1),
          fmt.int(r.providerBytes),
        ]),
      ),
      "",
    );
  }

  out.push(
    table(
      ["outputs returned by create (JSON, without __provider)", "bytes"],
      s.outputs.map((o) => [o.label, o.bytes]),
    ),
    "",
  );
  if (e && e.exported.length > 0) {
    out.push(
      "From `pulumi stack export` (whole resource entries: URN, inputs, outputs, metadata):",
      "",
      table(
        [
          "program",
          "resources",
          "bytes per resource",
          "__provider bytes",
          "copies of __provider per resource",
        ],
        e.exported.map((x) => [
          x.program,
          x.resources,
          fmt.int(x.bytesPerResource),
          fmt.int(x.providerBytes),
          x.providerCopies,
        ]),
      ),
      "",
    );
  }
  return out;
}

function rateLimitSection(rows: RateLimitRow[]): string[] {
  return [
    `## 4. Concurrency against a rate limit of ${ratePerSecond} requests/s`,
    "",
    `\`create\` with **\`waitForTermination: true\`** through the provider objects (default settings: 8 requests in flight per endpoint, 5 attempts), N terminations with \`parallel\` at once like the engine's parallel steps, against \`startEmulator({rateLimitPerSecond: ${ratePerSecond}})\`, which answers 429 + \`Retry-After: 1\` beyond it. Real sleeps. Ideal = N × accepted requests per termination / ${ratePerSecond} s. The emulator counts in fixed one-second windows aligned to the clock and the run starts at a window's start, so the last window need not be waited out: a run can beat the ideal by up to 1 s.`,
    "",
    table(
      [
        "target",
        "N",
        "parallel",
        "accepted requests per termination",
        "time",
        "ideal",
        "time / ideal",
        "answered 429",
        "failures",
        "terminated exactly once",
      ],
      rows.map((r) => [
        r.target,
        r.n,
        r.parallel,
        Object.entries(r.perTermination)
          .map(([k, v]) => `${v} × ${k}`)
          .join(" + "),
        fmt.ms(r.ms),
        fmt.ms(r.idealMs),
        fmt.ratio(r.ms / r.idealMs),
        r.throttled,
        r.failures === 0 ? "0" : `**${r.failures}** (${r.firstFailure?.slice(0, 120)})`,
        verdict(r.effective === r.n),
      ]),
    ),
    "",
  ];
}

function summary(r: Results): string[] {
  const lines: string[] = [];
  if (r.overhead) {
    const maxN = Math.max(...r.overhead.rows.map((x) => x.n));
    const worst = r.overhead.rows.filter((x) => x.n === maxN).sort((a, b) => b.ratio - a.ratio)[0];
    const all = r.overhead.rows.filter((x) => x.n === maxN);
    lines.push(
      `- Provider overhead at N=${maxN} (goal ≤ ${overheadGoal.toFixed(2)}× the floor): ${all.map((x) => `${x.target} ${caseLabel(x)} ${x.ratio.toFixed(2)}×`).join(", ")}. ` +
        (worst.ratio <= overheadGoal
          ? "**Goal met.**"
          : `**Goal not met** (worst: ${worst.target} ${caseLabel(worst)}).`),
    );
  }
  if (r.engine && !r.engine.skipped) {
    lines.push(
      `- \`pulumi up\`, termination vs minimal provider: ${r.engine.rows.map((x) => `N=${x.n}${x.label ? ` (${x.label})` : ""} ${x.ratio.toFixed(2)}×`).join(", ")}.`,
    );
  } else if (r.engine?.skipped) lines.push(`- ${r.engine.skipped}`);
  if (r.state) {
    const installed = r.state.serialized.filter(
      (s) => s.label.startsWith("installed") && !s.label.includes("naive"),
    );
    if (installed.length > 0) {
      const ok = installed.every((s) => (s.bytes ?? Infinity) < providerBytesGoal && !s.deepPaths?.length);
      lines.push(
        `- \`__provider\` (installed): ${installed.map((s) => `${fmt.int(s.bytes ?? 0)} B`).join(", ")}, deep paths: ${installed.some((s) => s.deepPaths?.length) ? "yes" : "none"}. ${ok ? "**Goal met.**" : "**Goal (< 2 KB, no deep paths) not met.**"}`,
      );
    }
  }
  if (r.rateLimit) {
    const failures = r.rateLimit.reduce((sum, x) => sum + x.failures, 0);
    const worst = Math.max(...r.rateLimit.map((x) => x.ms / x.idealMs));
    lines.push(
      `- Rate limit ${ratePerSecond}/s: ${failures} failures; time ≤ ${worst.toFixed(2)}× the ideal.`,
    );
  }
  return lines;
}

export function markdown(r: Results, m: Machine, command: string): string {
  return [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` (bench/run.ts); do not edit by hand. Ratios compare against a baseline measured in the same run, interleaved with it; absolute times are this machine's and only for orientation.",
    "",
    `Command: \`${command}\``,
    "",
    "| machine | |",
    "| --- | --- |",
    `| CPU | ${m.cpu} |`,
    `| cores | ${m.cores} |`,
    `| memory | ${m.memoryGiB.toFixed(1)} GiB |`,
    `| Node | ${m.node} |`,
    `| OS | ${m.os} |`,
    `| date | ${m.date} |`,
    `| code | ${m.code} |`,
    `| load average (1, 5, 15 min) at start / end | ${m.loadStart.map((x) => x.toFixed(2)).join(", ")} / ${m.loadEnd.map((x) => x.toFixed(2)).join(", ")} |`,
    "",
    "The in-process benchmarks (1, 4 and the profile) run from a plain-JS build of bench/ and provider/ with plain `node`, the way the dynamic-provider process runs the installed package.",
    "",
    "## Summary",
    "",
    ...summary(r),
    ...r.notes.map((n) => `- ${n}`),
    "",
    ...(r.overhead ? overheadSection(r.overhead, r.runs) : []),
    ...profileSection(r.profiles),
    ...(r.engine ? engineSection(r.engine) : []),
    ...(r.state ? stateSection(r.state, r.engine) : []),
    ...(r.rateLimit ? rateLimitSection(r.rateLimit) : []),
  ].join("\n");
}

const colors = { provider: "#1f77b4", floor: "#d62728", c16: "#2ca02c", floor16: "#ff7f0e" };

export function chart(r: Results): string | undefined {
  const panels: Panel[] = [];
  for (const target of ["MRS", "NodeMan"] as const) {
    const rows = r.overhead?.rows.filter((x) => x.target === target && !x.maxConcurrency) ?? [];
    if (rows.length === 0) continue;
    const series = (concurrency: number, key: "medianA" | "medianB") =>
      rows
        .filter((x) => x.concurrency === concurrency)
        .map((x): [number, number] => [x.n, Math.round(x[key])]);
    panels.push({
      title: `${target}: provider vs raw axios (floor)`,
      xLabel: "N terminations",
      yLabel: "median time (ms)",
      series: [
        { name: "provider, sequential", color: colors.provider, points: series(1, "medianA") },
        { name: "floor, sequential", color: colors.floor, dashed: true, points: series(1, "medianB") },
        { name: "provider, 16 in flight", color: colors.c16, points: series(16, "medianA") },
        { name: "floor, 16 in flight", color: colors.floor16, dashed: true, points: series(16, "medianB") },
      ],
    });
  }
  const engine = (r.engine?.rows ?? []).filter((x) => !x.label);
  if (engine.length > 0) {
    panels.push({
      title: "pulumi up: NodemanTaskTermination vs minimal provider",
      xLabel: "N resources",
      yLabel: "median wall time (s)",
      series: [
        {
          name: "NodemanTaskTermination",
          color: colors.provider,
          points: engine.map((x) => [x.n, Number((x.terminationMs / 1000).toFixed(1))]),
        },
        {
          name: "minimal dynamic provider",
          color: colors.floor,
          dashed: true,
          points: engine.map((x) => [x.n, Number((x.floorMs / 1000).toFixed(1))]),
        },
      ],
    });
  }
  if (panels.length === 0) return undefined;
  const engineRuns = engine.length > 0 ? `; pulumi up: medians of ${engine[0].termination.length} runs` : "";
  return svgChart(
    panels,
    `pulumi-termination benchmarks, medians of ${r.runs} ABAB runs${engineRuns}. See BENCHMARKS.md.`,
  );
}
