/**
 * The codes a NodeMan call can meet (docs/apis.md §1.5), named once: NodeMan's own (38xxxxx), and
 * the BlueKing platform's in front of it, the API gateway's (164xxxx, 165xxxx) and the ESB's
 * (1306xxx). The target acts on some and explains the others; `classifyAnswer` tells the HTTP
 * layer what an answer is whatever status carries it, so that its retry policy (http/retry.ts)
 * stays the one place that decides.
 */
import type { AnswerClass } from "../../http/retry";
import { isApiError } from "../../errors";
import { lookupCode } from "../../core/codeTable";

export const codes = {
  /** The API gateway refused the request's parameters: mostly the credentials (400). */
  gatewayInvalidArgs: "1640001",
  /** NodeMan refused the request's fields. */
  invalidRequest: "3800001",
  /** The subscription has no task (or does not exist). */
  noTask: "3800003",
  /** The subscription's task could not be created. */
  createTaskFailed: "3800014",
  /** The subscription's task is not ready yet. */
  taskNotReady: "3800015",
  /** Nothing is running: there is nothing to revoke. */
  nothingToRevoke: "3800016",
  /** NodeMan's gateway check failed: called around the API gateway. */
  gatewayCheckFailed: "3800018",
} as const;

/** A NodeMan code (BN apps/exceptions.py PLAT_CODE 3800000 + module + error): NodeMan's own answer. */
export const isNodemanCode = (code: unknown) => /^38\d{5}$/.test(String(code));

/** The one test for a BlueKing platform code: the API gateway's 164xxxx/165xxxx or the ESB's 1306xxx. */
export const isPlatformCode = (code: unknown) => /^(16[45]\d{4}|1306\d{3})$/.test(String(code));

const credentials =
  "check blueking:appCode and blueking:appSecret, and blueking:username with blueking:bkToken or blueking:accessToken";
const throttled = "Throttled until the retries ran out: lower termination:maxConcurrency, or try again later";
const unreachable = "NodeMan could not be reached or failed behind the platform: try again later";

interface PlatformCode {
  /** What the answer is, whatever its HTTP status (the status-rewrite plugin answers 200). */
  kind: AnswerClass["kind"];
  hint?: string;
}

/**
 * The gateway's codes (blueking-apigateway-apisix src/apisix/plugins/bk-core/errorx.lua) and the
 * ESB's (blueking-apigateway src/esb/esb/common/errors.py), each with what it is and, where the user
 * can act, what to do. An unlisted 164xxxx or 1306xxx is a refusal; an unlisted 165xxxx goes by its
 * HTTP status.
 */
const platformCodes: Record<string, PlatformCode> = {
  "1640001": {
    kind: "final",
    hint: `The API gateway refused the request's parameters, usually the credentials (the reason says which): ${credentials}`,
  },
  "1640004": {
    kind: "final",
    hint: "The API gateway could not verify the call's JWT: ask the gateway's admin",
  },
  "1640100": { kind: "final", hint: `The API gateway found no valid credentials: ${credentials}` },
  "1640101": {
    kind: "final",
    hint: "The API gateway refused the app: check blueking:appCode and blueking:appSecret",
  },
  "1640102": {
    kind: "final",
    hint: "The API gateway refused the user: check blueking:username and blueking:bkToken or blueking:accessToken (a bk_token ends with its login session)",
  },
  "1640301": {
    kind: "final",
    hint: "The app has no permission to bk-nodeman's resource: apply for it in the API gateway's developer center, or ask the gateway's admin to grant it",
  },
  "1640302": {
    kind: "final",
    hint: "The API gateway refused a cross-tenant call (or the caller's IP): set blueking:tenantId to the tenant of the app and user",
  },
  "1640303": {
    kind: "final",
    hint: "The API gateway's user restriction refused the call: ask the gateway's admin",
  },
  "1640304": {
    kind: "final",
    hint: "The API gateway's tenant restriction refused the call: ask the gateway's admin",
  },
  "1640401": {
    kind: "final",
    hint: 'The API gateway has no such resource: check blueking:apigwUrlTemplate, the stage, and blueking:apigwPathPrefix (a multi-tenant gateway publishes NodeMan under "system/")',
  },
  "1641301": {
    kind: "final",
    hint: "The request is larger than the gateway accepts: name fewer instanceIds per resource",
  },
  "1641401": { kind: "final", hint: "The request's URL is larger than the gateway accepts" },
  "1642901": { kind: "throttled", hint: throttled },
  "1642902": { kind: "throttled", hint: throttled },
  "1642903": { kind: "throttled", hint: throttled },
  "1642904": { kind: "throttled", hint: throttled },
  "1650000": { kind: "fault", hint: unreachable },
  "1650001": { kind: "fault", hint: unreachable },
  "1650002": {
    kind: "final",
    hint: "The gateway's resource configuration is wrong: ask the gateway's admin",
  },
  "1650200": { kind: "fault", hint: unreachable },
  "1650201": { kind: "fault", hint: unreachable },
  "1650300": { kind: "fault", hint: unreachable },
  "1650401": { kind: "fault", hint: unreachable },
  "1650801": { kind: "final", hint: "The gateway detected a recursive call: ask the gateway's admin" },
  "1306000": {
    kind: "final",
    hint: `The ESB refused the call; when the message names the app, its secret or the user: ${credentials}`,
  },
  "1306401": { kind: "final", hint: "The ESB needs the calling user: set blueking:username" },
  "1306402": { kind: "final", hint: "The user lacks NodeMan's permission: ask NodeMan's admin" },
  "1306403": {
    kind: "final",
    hint: "The app may not call NodeMan's ESB components: apply for the permission in the developer center",
  },
  "1306404": {
    kind: "final",
    hint: "The ESB has no such component: check blueking:esbUrl; newer BlueKing versions remove the ESB, so use the API gateway (blueking:apigwUrlTemplate)",
  },
  "1306405": {
    kind: "final",
    hint: "The ESB's NodeMan component is inactive: check blueking:esbUrl, or use the API gateway (blueking:apigwUrlTemplate)",
  },
  "1306406": { kind: "final" },
  "1306408": { kind: "final", hint: "The ESB could not verify the gateway's JWT: ask the ESB's admin" },
  "1306429": { kind: "throttled", hint: throttled },
  "1306201": { kind: "fault", hint: unreachable },
};

/** What the user can do about NodeMan's own codes. */
const nodemanHints: Record<string, string> = {
  [codes.invalidRequest]: "NodeMan refused the request's fields",
  [codes.noTask]: "Check subscriptionId: the subscription has no task or does not exist",
  [codes.createTaskFailed]:
    "NodeMan could not create the subscription's task (the message says why): fix that in NodeMan, then run again",
  [codes.gatewayCheckFailed]:
    "NodeMan's gateway check failed: call it through the API gateway with valid app credentials",
};

/** What to do about a code, if anything. */
export function hintFor(code: string | undefined): string | undefined {
  return lookupCode(nodemanHints, code) ?? lookupCode(platformCodes, code)?.hint;
}

/**
 * What an answer is by the code it carries (in the body, else X-Bkapi-Error-Code), whatever its HTTP
 * status: a NodeMan code is NodeMan's final answer, even on a 5xx; a platform code as the table says.
 * Undefined: the HTTP status decides.
 */
export function classifyAnswer(answer: {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}): AnswerClass | undefined {
  const body = (typeof answer.data === "object" && answer.data !== null ? answer.data : {}) as {
    code?: unknown;
  };
  const code = String(body.code ?? answer.headers["x-bkapi-error-code"] ?? "");
  if (isNodemanCode(code)) return { kind: "final", code };
  if (!isPlatformCode(code)) return undefined;
  const known = lookupCode(platformCodes, code);
  if (known) return { kind: known.kind, code };
  return code.startsWith("165") ? undefined : { kind: "final", code };
}

/** An error saying the platform refused the credentials (the ESB's 1306000 only when its text says so). */
export function isCredentialsRefused(error: unknown): boolean {
  if (!isApiError(error) || error.service !== "NodeMan") return false;
  if (["1640001", "1640100", "1640101", "1640102", "1306401"].includes(error.code ?? "")) return true;
  return (
    error.code === "1306000" &&
    /APP Code|APP Secret|bk_app_code|bk_app_secret|bk_token|access_token|user identity|User authentication/i.test(
      error.serviceMessage ?? "",
    )
  );
}
