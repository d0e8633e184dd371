/**
 * The package's errors. Every message says what failed, where, and what to do next, and never
 * carries a credential. Type guards check names as well as `instanceof`: code that runs from a
 * serialized closure may see two copies of these classes. The names come from the classes
 * themselves, so a new class needs no list updated.
 */

export class TerminationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Each subclass's name is its class's name, not a literal kept beside it.
    this.name = new.target.name;
  }
}

export interface ApiErrorDetails {
  /** "NodeMan" or "MRS". */
  service: string;
  /** What we were doing, e.g. "kill job-execution 4f1c… in cluster c1". */
  operation: string;
  method: string;
  /** The URL without its query string. */
  url: string;
  httpStatus: number;
  /** The service's own code: `0175`, `APIGW.0301`, `3800016`, `1640001`… */
  code?: string;
  /** The service's own message. */
  serviceMessage?: string;
  requestId?: string;
  /** What the user can do about it. */
  hint?: string;
  /** Attempts made, counting the one that produced this answer. */
  attempts?: number;
}

/** A `pulumi import` id that does not name a termination: the message gives the expected forms. */
export class ImportIdError extends TerminationError {}

/** The service answered, and the answer is a failure. */
export class ApiError extends TerminationError {
  readonly service: string;
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly httpStatus: number;
  readonly code?: string;
  readonly serviceMessage?: string;
  readonly requestId?: string;
  readonly attempts?: number;

  constructor(details: ApiErrorDetails) {
    super(formatApiError(details));
    this.service = details.service;
    this.operation = details.operation;
    this.method = details.method;
    this.url = details.url;
    this.httpStatus = details.httpStatus;
    this.code = details.code;
    this.serviceMessage = details.serviceMessage;
    this.requestId = details.requestId;
    this.attempts = details.attempts;
  }
}

function formatApiError(d: ApiErrorDetails): string {
  const code = d.code === undefined ? "" : `, code ${d.code}`;
  const text = d.serviceMessage?.trim() ? `: ${d.serviceMessage.trim()}` : "";
  const requestId = d.requestId ? ` (request id ${d.requestId})` : "";
  const attempts = d.attempts && d.attempts > 1 ? ` after ${d.attempts} attempts` : "";
  const hint = d.hint
    ? `. ${d.hint}`
    : d.httpStatus === 429
      ? ". Throttled (HTTP 429 Too Many Requests) until the retries ran out: lower termination:maxConcurrency, or try again later"
      : "";
  return `${d.service}: ${d.operation} failed${attempts}: HTTP ${d.httpStatus} from ${d.method} ${d.url}${code}${text}${requestId}${hint}`;
}

/**
 * No answer: the connection failed, was reset, or timed out. `cause` is the original error's message
 * and code, without the request it held (its headers carry credentials).
 */
export class NetworkError extends TerminationError {
  readonly attempts: number;
  constructor(message: string, attempts: number, options?: { cause?: unknown }) {
    super(message, options);
    this.attempts = attempts;
  }
}

/** The request was sent, but the target did not reach a final state in time. */
export class WaitTimeoutError extends TerminationError {}

/** Settings (credentials, endpoints) are missing or malformed. */
export class ConfigurationError extends TerminationError {}

/**
 * Thrown by `create` when the termination request was sent but a later step failed (the wait timed
 * out): the engine then records the resource as created-but-failed with these properties, rather
 * than as never sent, and the next `pulumi up` resumes the wait instead of terminating again.
 */
export class TerminationIncompleteError extends TerminationError {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];
  constructor(message: string, id: string, properties: Record<string, unknown>) {
    super(message);
    this.id = id;
    this.properties = properties;
    this.reasons = [message];
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass<T extends Error> = abstract new (...args: any[]) => T;

/**
 * True for an instance of `cls` or of a subclass, including one from another copy of this module:
 * some constructor in the error's prototype chain bears `cls`'s name.
 */
function isErrorOf<T extends Error>(cls: ErrorClass<T>) {
  return (error: unknown): error is T => {
    if (error instanceof cls) return true;
    if (!(error instanceof Error)) return false;
    for (let proto = Object.getPrototypeOf(error); proto && proto !== Error.prototype;) {
      if (Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor.name === cls.name)
        return true;
      proto = Object.getPrototypeOf(proto);
    }
    return false;
  };
}

export const isTerminationError = isErrorOf(TerminationError);
export const isApiError = isErrorOf(ApiError);
export const isNetworkError = isErrorOf(NetworkError);
export const isWaitTimeoutError = isErrorOf(WaitTimeoutError);
export const isConfigurationError = isErrorOf(ConfigurationError);
export const isTerminationIncompleteError = isErrorOf(TerminationIncompleteError);
