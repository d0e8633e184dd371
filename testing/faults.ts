/**
 * Faults for `emulator.injectFault` that answer the way each service refuses a request: the
 * tests of errors, refresh and the engine share them instead of spelling out each body.
 */
import type { Fault } from "../emulator";

/** MRS: an HTTP error with the service's `error_code` and `error_msg`, and a request id if given. */
export function mrsRefusal(
  code: string,
  message: string,
  options: { status?: number; requestId?: string } = {},
): Fault {
  return {
    kind: "reply",
    status: options.status ?? 400,
    body: { error_code: code, error_msg: message },
    ...(options.requestId !== undefined && { headers: { "X-Request-Id": options.requestId } }),
  };
}

/** NodeMan: HTTP 200 with `result: false` and the service's code, and a gateway request id if given. */
export function nodemanRefusal(code: number, message: string, options: { requestId?: string } = {}): Fault {
  return {
    kind: "reply",
    status: 200,
    body: { result: false, code, message, data: null },
    ...(options.requestId !== undefined && { headers: { "X-Bkapi-Request-Id": options.requestId } }),
  };
}
