/**
 * The admin HTTP API under /_emulator/, for scripts and a demo that run the emulator as a process.
 * Each endpoint is a thin JSON wrapper around the Emulator method of the same name.
 */
import type { FaultSpec, RandomFaultSpec } from "./faults";
import { FaultSpecError } from "./faults";
import { jsonReply, type ReceivedRequest, type Reply } from "./http";
import type { Emulator } from "./types";
import type { RequestFilter } from "./requestLog";
import { isRouteName, ROUTE_NAMES } from "./routes";
import { SeedError, type SeedState } from "./seed";

class AdminInputError extends Error {
  override name = "AdminInputError";
}

type Endpoint = (request: ReceivedRequest, emulator: Emulator) => unknown;

const OK = { ok: true };

/**
 * Method and path → what it returns. Bodies are validated by the emulator method they reach
 * (seed and fault specs are checked field by field there), hence the casts.
 */
const ENDPOINTS: Record<string, Endpoint> = {
  "GET /_emulator/health": () => OK,
  "GET /_emulator/requests": (request, emulator) => emulator.requests(requestFilter(request.rawQuery)),
  "DELETE /_emulator/requests": (_request, emulator) => (emulator.clearRequests(), OK),
  "GET /_emulator/state": (_request, emulator) => emulator.state(),
  "POST /_emulator/seed": (request, emulator) => (emulator.seed(jsonBody(request) as SeedState), OK),
  "POST /_emulator/reset": (_request, emulator) => (emulator.reset(), OK),
  "POST /_emulator/faults": (request, emulator) => (emulator.injectFault(jsonBody(request) as FaultSpec), OK),
  "DELETE /_emulator/faults": (_request, emulator) => (emulator.clearFaults(), OK),
  "POST /_emulator/random-faults": (request, emulator) => (
    emulator.setRandomFaults(jsonBody(request) as RandomFaultSpec),
    OK
  ),
  "DELETE /_emulator/random-faults": (_request, emulator) => (emulator.setRandomFaults(undefined), OK),
  "GET /_emulator/effective": (_request, emulator) => ({
    total: emulator.effectiveCount(),
    routes: Object.fromEntries(ROUTE_NAMES.map((route) => [route, emulator.effectiveCount(route)])),
  }),
};

export function handleAdmin(request: ReceivedRequest, emulator: Emulator): Reply {
  const endpoint = ENDPOINTS[`${request.method} ${request.rawPath}`];
  if (endpoint === undefined) {
    return jsonReply(404, {
      error: "not_found",
      message: `no admin endpoint ${request.method} ${request.rawPath}`,
      endpoints: Object.keys(ENDPOINTS),
    });
  }
  try {
    return jsonReply(200, endpoint(request, emulator));
  } catch (error) {
    if (error instanceof SeedError || error instanceof FaultSpecError || error instanceof AdminInputError) {
      return jsonReply(400, { error: "invalid_request", message: error.message });
    }
    throw error;
  }
}

function jsonBody(request: ReceivedRequest): unknown {
  try {
    return JSON.parse(request.body.toString());
  } catch {
    throw new AdminInputError("the request body must be JSON");
  }
}

function requestFilter(rawQuery: string): RequestFilter {
  const query = new URLSearchParams(rawQuery);
  const route = query.get("route") ?? undefined;
  const api = query.get("api") ?? undefined;
  if (route !== undefined && route !== "unknown" && !isRouteName(route)) {
    throw new AdminInputError(`route must be one of ${ROUTE_NAMES.join(", ")} or unknown`);
  }
  if (api !== undefined && api !== "nodeman" && api !== "mrs" && api !== "unknown") {
    throw new AdminInputError("api must be nodeman, mrs or unknown");
  }
  return { route, api };
}
