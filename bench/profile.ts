/**
 * CPU profile of a piece of work, with V8's sampling profiler (the one `node --cpu-prof` uses),
 * driven in-process through the inspector so that only the measured loop is sampled. The raw
 * profile is saved as a .cpuprofile (open it in Chrome DevTools) and summarised by self time.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import * as os from "node:os";
import * as path from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface SelfTime {
  name: string;
  file: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by where the code lives: provider/, emulator/, axios, node internals, GC… */
  byArea: { area: string; ms: number; share: number }[];
  /** Top functions by self time. */
  top: SelfTime[];
  /** Top functions of this project's provider code (provider/…) by self time. */
  topProvider: SelfTime[];
  /** Inclusive time of `require(…)` calls made by provider/ code while the loop ran. */
  requireFromProviderMs: number;
}

export function areaOf(url: string, name: string): string {
  if (url.includes("/provider/")) return "provider/ (ours)";
  if (url.includes("/emulator/")) return "emulator/ (same process)";
  if (url.includes("/bench/")) return "bench/ (loop)";
  if (url.includes("node_modules/axios") || url.includes("follow-redirects")) return "axios";
  if (url.includes("node_modules/")) return "other node_modules";
  if (url.startsWith("node:")) return "node internals (http, net, streams…)";
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(idle)") return "idle";
  return "V8 / native / (program)";
}

function shortFile(url: string): string {
  const i = url.search(/\/(provider|emulator|bench|node_modules)\//);
  return i >= 0 ? url.slice(i + 1) : url.replace(/^file:\/\//, "");
}

export async function profile(label: string, work: () => Promise<void>): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  await work();
  const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
  session.disconnect();
  const file = path.join(os.tmpdir(), `pulumi-termination-${label}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));

  const totalHits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msOf = (hits: number) => (hits / totalHits) * totalMs;
  const byFunction = new Map<string, { name: string; file: string; hits: number }>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url } = node.callFrame;
    const name = functionName || "(anonymous)";
    const key = `${name} ${url}`;
    const entry = byFunction.get(key) ?? { name, file: shortFile(url), hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  // `require` called from provider code: its whole subtree (resolution, stat calls) counts.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = (n: ProfileNode): number =>
    (n.hitCount ?? 0) + (n.children ?? []).reduce((sum, c) => sum + inclusive(byId.get(c)!), 0);
  let requireHits = 0;
  for (const node of profile.nodes) {
    if (!node.callFrame.url.includes("/provider/")) continue;
    for (const child of node.children ?? []) {
      const callee = byId.get(child)!;
      if (callee.callFrame.functionName === "require") requireHits += inclusive(callee);
    }
  }
  const ranked = [...byFunction.values()]
    .sort((a, b) => b.hits - a.hits)
    .map((f) => ({ name: f.name, file: f.file, ms: msOf(f.hits), share: f.hits / totalHits }));
  return {
    file,
    totalMs,
    byArea: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, hits]) => ({ area, ms: msOf(hits), share: hits / totalHits })),
    top: ranked.filter((f) => f.name !== "(idle)").slice(0, 12),
    topProvider: ranked.filter((f) => f.file.startsWith("provider/")).slice(0, 10),
    requireFromProviderMs: msOf(requireHits),
  };
}
