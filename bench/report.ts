/** BENCHMARKS.md from the results of one run: Markdown tables only; docs/reliability.md says what each measures. */
import type { EngineResult } from "./engine";
import type { Case, OverheadResult, OverheadRow } from "./overhead";
import type { ProfileSummary } from "./profile";
import type { RateLimitRow } from "./ratelimit";
import { ratePerSecond } from "./ratelimit";
import type { StateResult } from "./state";
import { fmt, table } from "./stats";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** The @pulumi/pulumi version installed beside the package. */
  pulumi: string;
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
const yesNo = (ok: boolean) => (ok ? "yes" : "**no**");
const perRoute = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([route, count]) => `${Number(count.toFixed(2))} × ${route}`)
    .join(" + ");
const share = (x: number) => `${(x * 100).toFixed(1)}%`;
const range = (r: OverheadRow) => {
  const ratios = r.a.map((a, i) => a / r.b[i]).sort((x, y) => x - y);
  return `${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}`;
};

function machineTable(m: Machine, command: string, runs: number): string[] {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(", ");
  return [
    table(
      ["run", ""],
      [
        ["command", `\`${command}\``],
        ["ABAB runs per in-process case", runs],
        ["CPU", `${m.cpu}, ${m.cores} cores`],
        ["memory", `${m.memoryGiB.toFixed(1)} GiB`],
        ["Node / @pulumi/pulumi", `${m.node} / ${m.pulumi}`],
        ["OS", m.os],
        ["date", m.date],
        ["code", m.code],
        ["load average (1, 5, 15 min), start / end", `${load(m.loadStart)} / ${load(m.loadEnd)}`],
      ],
    ),
    "",
  ];
}

function overheadTables(o: OverheadResult): string[] {
  const rows = [...o.rows].sort((a, b) => a.target.localeCompare(b.target) || a.n - b.n);
  return [
    `## 1. Provider overhead: provider object vs raw axios (goal ≤ ${overheadGoal.toFixed(2)}×)`,
    "",
    table(
      [
        "target",
        "concurrency",
        "N",
        "provider",
        "floor",
        "provider ops/s",
        "ratio",
        "pair range",
        "within goal",
      ],
      rows.map((r) => [
        r.target,
        caseLabel(r),
        r.n,
        fmt.ms(r.medianA),
        fmt.ms(r.medianB),
        fmt.int(r.n / (r.medianA / 1000)),
        `**${fmt.ratio(r.ratio)}**`,
        range(r),
        yesNo(r.ratio <= overheadGoal),
      ]),
    ),
    "",
    table(
      ["target", "requests per termination (both sides)"],
      Object.entries(o.requestsPerTermination).map(([target, routes]) => [target, perRoute(routes)]),
    ),
    "",
  ];
}

function profileTables(profiles: Results["profiles"]): string[] {
  return profiles.flatMap(({ case: c, summary: s }) => [
    `### Profile: ${c.target}, ${caseLabel(c)}, 1000 terminations`,
    "",
    table(
      ["profiled", "require() from provider/", "file"],
      [
        [
          fmt.ms(s.totalMs),
          `${fmt.ms(s.requireFromProviderMs)} (${share(s.requireFromProviderMs / s.totalMs)})`,
          `\`${s.file}\``,
        ],
      ],
    ),
    "",
    table(
      ["where (self time)", "ms", "share"],
      s.byArea.map((a) => [a.area, a.ms.toFixed(0), share(a.share)]),
    ),
    "",
    table(
      ["top self time, all code", "file", "ms", "share"],
      s.top.slice(0, 8).map((f) => [`\`${f.name}\``, f.file || "(native)", f.ms.toFixed(1), share(f.share)]),
    ),
    "",
    table(
      ["top self time in provider/", "file", "ms", "share"],
      s.topProvider.map((f) => [`\`${f.name}\``, f.file, f.ms.toFixed(1), share(f.share)]),
    ),
    "",
  ]);
}

function engineTables(e: EngineResult): string[] {
  const out = [
    "## 2. `pulumi up`: NodemanTaskTermination through the dynamic provider and through the plugin vs a minimal dynamic provider",
    "",
  ];
  if (e.skipped) return [...out, e.skipped, ""];
  const plain = e.rows.filter((r) => !r.label);
  const marginal = (r: EngineRow, key: "terminationMs" | "floorMs" | "pluginMs") => {
    const i = plain.indexOf(r);
    return i > 0 ? fmt.ms((r[key] - plain[i - 1][key]) / (r.n - plain[i - 1].n)) : "";
  };
  return [
    ...out,
    table(
      [
        "N",
        "engine setting",
        "plugin",
        "dynamic",
        "floor",
        "ratio: plugin",
        "ratio: dynamic",
        "per resource: plugin / dynamic / floor",
        "marginal per resource: plugin / dynamic / floor",
        "peak provider RSS: plugin / dynamic / floor",
        "requests per resource: plugin / dynamic / floor",
      ],
      e.rows.map((r) => [
        r.n,
        r.label ? `\`${r.label}\`` : "default",
        fmt.ms(r.pluginMs),
        fmt.ms(r.terminationMs),
        fmt.ms(r.floorMs),
        `**${fmt.ratio(r.pluginRatio)}**`,
        `**${fmt.ratio(r.ratio)}**`,
        `${fmt.ms(r.pluginMs / r.n)} / ${fmt.ms(r.terminationMs / r.n)} / ${fmt.ms(r.floorMs / r.n)}`,
        r.label
          ? ""
          : `${marginal(r, "pluginMs")} / ${marginal(r, "terminationMs")} / ${marginal(r, "floorMs")}`,
        `${r.pluginPeakRssMb.toFixed(0)} MB / ${r.terminationPeakRssMb.toFixed(0)} MB / ${r.floorPeakRssMb.toFixed(0)} MB`,
        `${perRoute(r.requestsPerResource.plugin)} / ${perRoute(r.requestsPerResource.termination)} / ${perRoute(r.requestsPerResource.floor)}`,
      ]),
    ),
    "",
  ];
}

type EngineRow = EngineResult["rows"][number];

function stateTables(s: StateResult, e: EngineResult | undefined): string[] {
  const out = [
    `## 3. State cost per resource (goal: \`__provider\` < ${providerBytesGoal} B, no deep module paths)`,
    "",
    table(
      ["serialized provider", "bytes", "deep module paths", "within goal"],
      s.serialized.map((x) => [
        x.label,
        x.error ? `fails: ${x.error.replace(/\|/g, "\\|")}` : fmt.int(x.bytes ?? 0),
        x.error ? "" : x.deepPaths?.length ? x.deepPaths.map((p) => `\`${p}\``).join(" ") : "none",
        x.error ? "**no**" : yesNo((x.bytes ?? 0) < providerBytesGoal && !x.deepPaths?.length),
      ]),
    ),
    "",
  ];
  if (s.registration.length > 0) {
    out.push(
      table(
        [
          "package",
          "resources registered",
          "ms per resource, as shipped",
          "ms per resource, one shared provider object",
          "__provider bytes",
        ],
        s.registration.map((r) => [
          r.mode,
          r.n,
          r.asShippedMsPerResource.toFixed(1),
          r.sharedMsPerResource.toFixed(1),
          fmt.int(r.providerBytes),
        ]),
      ),
      "",
    );
  }
  out.push(
    table(
      ["outputs of create (JSON, without __provider)", "bytes"],
      s.outputs.map((o) => [o.label, o.bytes]),
    ),
    "",
  );
  if (e && e.exported.length > 0) {
    out.push(
      table(
        [
          "`pulumi stack export`",
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

function rateLimitTables(rows: RateLimitRow[]): string[] {
  return [
    `## 4. Against a rate limit of ${ratePerSecond} requests/s (waitForTermination: true)`,
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
        perRoute(r.perTermination),
        fmt.ms(r.ms),
        fmt.ms(r.idealMs),
        fmt.ratio(r.ms / r.idealMs),
        r.throttled,
        r.failures === 0 ? "0" : `**${r.failures}** (${r.firstFailure?.slice(0, 120).replace(/\|/g, "\\|")})`,
        yesNo(r.effective === r.n),
      ]),
    ),
    "",
  ];
}

/**
 * A warning for the top of the report when the machine was busy: a 1-minute load average above
 * three quarters of the cores, at the start or the end of the run. Other work then takes CPU from
 * one side of a pair and not the other, and the ratios say less than they seem to.
 */
export function busyNote(m: Pick<Machine, "cores" | "loadStart" | "loadEnd">): string | undefined {
  const peak = Math.max(m.loadStart[0] ?? 0, m.loadEnd[0] ?? 0);
  if (peak <= m.cores * 0.75) return undefined;
  return (
    `**This run's machine was busy**: a load average of ${peak.toFixed(2)} on ${m.cores} cores. ` +
    "Other work took CPU from one side of a pair and not the other: read ratios within ±0.3 of 1 as the same."
  );
}

export function markdown(r: Results, m: Machine, command: string): string {
  const busy = busyNote(m);
  return [
    "# Benchmarks",
    "",
    ...(busy ? [busy, ""] : []),
    "Generated by `npm run bench` (bench/run.ts); do not edit. What each table measures, and against which baseline: docs/reliability.md, Performance.",
    "",
    ...machineTable(m, command, r.runs),
    ...r.notes.map((n) => `- ${n}`),
    ...(r.notes.length > 0 ? [""] : []),
    ...(r.overhead ? overheadTables(r.overhead) : []),
    ...profileTables(r.profiles),
    ...(r.engine ? engineTables(r.engine) : []),
    ...(r.state ? stateTables(r.state, r.engine) : []),
    ...(r.rateLimit ? rateLimitTables(r.rateLimit) : []),
  ]
    .join("\n")
    .trimEnd();
}
