/**
 * 1. Provider overhead: N terminations through the provider object (`create`, waitForTermination:
 * false) against the in-process emulator, versus the floor: the same HTTP requests (same routes,
 * payloads, headers and AK/SK signatures) sent with raw axios, same emulator, same concurrency.
 */
import * as http from "node:http";
import axios from "axios";
import { startEmulator, type Emulator } from "../emulator";
import { signRequest } from "../provider/signing/sdkHmacSha256";
import {
  accessKey,
  benchSeed,
  clusterId,
  jobId,
  projectId,
  secrets,
  subscriptionId,
  terminations,
  type TargetName,
} from "./fixtures";
import { abab, inParallel, type Paired } from "./stats";

/** One termination number i, through the provider or the floor. */
type Op = (i: number) => Promise<unknown>;

export interface Case {
  target: TargetName;
  concurrency: number;
  /** Set when the provider runs with a non-default `termination:maxConcurrency`. */
  maxConcurrency?: number;
}

export interface OverheadRow extends Case, Paired {
  n: number;
}

export interface OverheadResult {
  rows: OverheadRow[];
  /** Requests per termination by route, identical for provider and floor (checked). */
  requestsPerTermination: Record<TargetName, Record<string, number>>;
}

/**
 * One raw axios request, by axios's cheapest path: bodies raw both ways (what is signed is what is
 * sent) and no redirects (axios otherwise wraps every request in follow-redirects). The provider
 * sends the same way; everything else it does around the request is what the ratio measures.
 */
async function raw(
  agent: http.Agent,
  method: "GET" | "POST",
  url: string,
  headers: Record<string, string>,
  body?: string,
) {
  try {
    return await axios.request({
      method,
      url,
      headers,
      data: body,
      responseType: "text",
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: string) => data],
      maxRedirects: 0,
      httpAgent: agent,
    });
  } catch (error) {
    const e = error as { response?: { status: number; data: unknown }; message: string };
    throw new Error(
      `floor: ${method} ${url}: ${e.response ? `HTTP ${e.response.status} ${JSON.stringify(e.response.data)}` : e.message}`,
      { cause: error },
    );
  }
}

/** The floor: exactly the requests `create` sends, built and sent with nothing else around them. */
export function floorOp(target: TargetName, url: string): Op {
  const agent = new http.Agent({ keepAlive: true });
  if (target === "MRS") {
    const credentials = { accessKey, secretKey: secrets.secretKey };
    const send = (method: "GET" | "POST", target: URL) => {
      const headers = { Host: target.host, "Content-Type": "application/json", "X-Project-Id": projectId };
      const signed = signRequest(
        { method, path: target.pathname, query: "", headers, body: "" },
        credentials,
      );
      return raw(agent, method, target.toString(), signed, method === "POST" ? "" : undefined);
    };
    return async (i) => {
      const job = `${url}/v2/${projectId}/clusters/${clusterId}/job-executions/${jobId(i)}`;
      await send("GET", new URL(job));
      await send("POST", new URL(`${job}/kill`));
    };
  }
  const subscription = `${url}/api/bk-nodeman/prod/backend/api/subscription`;
  const authorization = JSON.stringify({
    bk_app_code: "pulumi-termination",
    bk_app_secret: secrets.appSecret,
    bk_username: "admin",
    bk_token: secrets.bkToken,
  });
  const headers = { "Content-Type": "application/json", "X-Bkapi-Authorization": authorization };
  // The read before the revoke (which instances run, in which tasks), then the revoke.
  return async (i) => {
    const read = { subscription_id: subscriptionId(i), need_aggregate_all_tasks: true, pagesize: -1 };
    await raw(agent, "POST", `${subscription}/task_result/`, headers, JSON.stringify(read));
    await raw(
      agent,
      "POST",
      `${subscription}/revoke/`,
      headers,
      JSON.stringify({ subscription_id: subscriptionId(i) }),
    );
  };
}

/** Route → count, plus the header names, status and effect of every request: what must match. */
function logSummary(emulator: Emulator) {
  const counts: Record<string, number> = {};
  const shapes = new Set<string>();
  for (const r of emulator.requests()) {
    counts[r.route] = (counts[r.route] ?? 0) + 1;
    const headers = Object.keys(r.headers)
      .filter((h) => !["connection", "content-length"].includes(h))
      .sort();
    shapes.add(
      `${r.route} ${r.status} effective=${r.effective} ${headers.join(",")} ${JSON.stringify(r.body)}`,
    );
  }
  return { counts, shapes: [...shapes].sort() };
}

/** Runs a few terminations each way and fails loudly unless both send exactly the same requests. */
async function checkSameRequests(emulator: Emulator, target: TargetName, provider: Op, floor: Op) {
  const n = 10;
  const summaries = [];
  for (const op of [provider, floor]) {
    emulator.reset();
    for (let i = 0; i < n; i++) await op(i);
    summaries.push(logSummary(emulator));
  }
  const [p, f] = summaries;
  const same = JSON.stringify(p.counts) === JSON.stringify(f.counts);
  // Bodies differ per termination (subscription ids), so compare the shapes with the ids masked.
  const mask = (shapes: string[]) => [...new Set(shapes.map((s) => s.replace(/\d{4,}|bench-\d+/g, "#")))];
  const sameShapes = JSON.stringify(mask(p.shapes)) === JSON.stringify(mask(f.shapes));
  if (!same || !sameShapes) {
    throw new Error(
      `${target}: the floor does not send what create sends:\nprovider ${JSON.stringify(p, null, 1)}\nfloor ${JSON.stringify(f, null, 1)}`,
    );
  }
  return Object.fromEntries(Object.entries(p.counts).map(([route, count]) => [route, count / n]));
}

export async function runOverhead(options: {
  runs: number;
  sizes: number[];
  log: (line: string) => void;
}): Promise<OverheadResult> {
  const maxN = Math.max(...options.sizes);
  const emulator = await startEmulator({ seed: benchSeed(maxN) });
  const rows: OverheadRow[] = [];
  const requestsPerTermination = {} as OverheadResult["requestsPerTermination"];
  try {
    for (const target of ["MRS", "NodeMan"] as const) {
      const floor = floorOp(target, emulator.url);
      const provider = await terminations(target, emulator.url);
      requestsPerTermination[target] = await checkSameRequests(emulator, target, provider, floor);
      options.log(`${target}: requests per termination ${JSON.stringify(requestsPerTermination[target])}`);
      const wide = await terminations(target, emulator.url, {
        extraConfig: { "termination:maxConcurrency": "16" },
      });
      const cases: [Case, Op, number[]][] = [
        [{ target, concurrency: 1 }, provider, options.sizes],
        [{ target, concurrency: 16 }, provider, options.sizes],
        [{ target, concurrency: 16, maxConcurrency: 16 }, wide, [maxN]],
      ];
      for (const [c, op, sizes] of cases) {
        for (const n of sizes) {
          const all = (work: Op) => () => inParallel(n, c.concurrency, work);
          const paired = await abab(options.runs, all(op), all(floor), () => emulator.reset());
          if (emulator.effectiveCount() !== n) throw new Error(`${target}: expected ${n} effective requests`);
          rows.push({ ...c, n, ...paired });
          const label = c.maxConcurrency ? `, maxConcurrency ${c.maxConcurrency}` : "";
          options.log(
            `${target} c${c.concurrency}${label} N=${n}: provider ${paired.medianA.toFixed(0)} ms, ` +
              `floor ${paired.medianB.toFixed(0)} ms, ratio ${paired.ratio.toFixed(3)}`,
          );
        }
      }
    }
  } finally {
    await emulator.close();
  }
  return { rows, requestsPerTermination };
}

/** The provider-only loop of one case, for the profiler. */
export async function providerLoop(
  c: Case,
  n: number,
): Promise<{ run: () => Promise<void>; close: () => Promise<void> }> {
  const emulator = await startEmulator({ seed: benchSeed(n) });
  const extra: Record<string, string> = c.maxConcurrency
    ? { "termination:maxConcurrency": String(c.maxConcurrency) }
    : {};
  const op = await terminations(c.target, emulator.url, { extraConfig: extra });
  return {
    run: async () => {
      emulator.reset();
      await inParallel(n, c.concurrency, op);
    },
    close: () => emulator.close(),
  };
}
