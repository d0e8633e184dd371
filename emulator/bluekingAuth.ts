/**
 * BlueKing app and user authentication, shared by the ESB (common args in the body) and the API
 * gateway (the same fields as JSON in X-Bkapi-Authorization), and the gateway's tenant checks. What
 * is wrong is found once; each way in words it as its own source does. Refusals name the field that
 * is wrong and never echo a secret.
 */
import type { BlueKingApp, BlueKingUser, EmulatorState } from "./seed";

export type CredentialProblem =
  | { kind: "no-app-code" }
  | { kind: "no-app-secret" }
  | { kind: "unknown-app"; appCode: string }
  | { kind: "wrong-app-secret"; appCode: string }
  | { kind: "no-user" }
  | { kind: "bad-bk-token" }
  | { kind: "bad-access-token" };

export interface Caller {
  app: BlueKingApp;
  user: BlueKingUser | undefined;
}

/** Who calls, or what is wrong with the credentials. */
export function bluekingCaller(
  args: Record<string, unknown>,
  credentials: EmulatorState["blueking"],
): { caller: Caller } | { problem: CredentialProblem } {
  const { bk_app_code: appCode, bk_app_secret: appSecret } = args;
  if (!isFilled(appCode)) return { problem: { kind: "no-app-code" } };
  if (!isFilled(appSecret)) return { problem: { kind: "no-app-secret" } };
  const app = credentials.apps.find((candidate) => candidate.appCode === appCode);
  if (app === undefined) return { problem: { kind: "unknown-app", appCode } };
  if (app.appSecret !== appSecret) return { problem: { kind: "wrong-app-secret", appCode } };
  const user = userOf(args, credentials.users, app);
  return "problem" in user ? user : { caller: { app, user: user.user } };
}

/**
 * The token names the user; a bk_username sent beside it is not compared (esb bkauth/validators.py
 * UserAuthValidator takes the token's user). A name alone is taken only from an exempt app.
 */
function userOf(
  args: Record<string, unknown>,
  users: BlueKingUser[],
  app: BlueKingApp,
): { user: BlueKingUser | undefined } | { problem: CredentialProblem } {
  const { bk_token: bkToken, access_token: accessToken, bk_username: username } = args;
  if (isFilled(accessToken)) {
    const user = users.find((candidate) => candidate.accessToken === accessToken);
    return user === undefined ? { problem: { kind: "bad-access-token" } } : { user };
  }
  if (isFilled(bkToken)) {
    const user = users.find((candidate) => candidate.bkToken === bkToken);
    return user === undefined ? { problem: { kind: "bad-bk-token" } } : { user };
  }
  if (isFilled(username) && app.userAuthExempt === true)
    return { user: users.find((candidate) => candidate.username === username) ?? { username } };
  return { problem: { kind: "no-user" } };
}

/** As the ESB words it (blueking-apigateway src/esb/esb/bkapp/validators.py, bkauth/validators.py). */
export function esbWording(problem: CredentialProblem): string {
  switch (problem.kind) {
    case "no-app-code":
      return "APP Code [bk_app_code] cannot be empty";
    case "no-app-secret":
      return "APP Secret [bk_app_secret] cannot be empty";
    case "unknown-app":
      return `Invalid APP Code [bk_app_code=${problem.appCode}], please confirm if the APP Code has been registered`;
    case "wrong-app-secret":
      return `APP Secret verification failed, please confirm if the APP Secret and APP Code [bk_app_code=${problem.appCode}] match`;
    case "bad-bk-token":
      return "User authentication failed, please check if the bk_token is valid";
    case "bad-access-token":
      return "verify access_token failed, please check if the access_token is valid";
    case "no-user":
      return "User authentication failed, please provide a valid user identity, such as bk_token, bk_username";
  }
}

/** As the gateway's bk-auth-verify words it (app-account-verifier.lua); the user texts are the emulator's. */
export function gatewayWording(problem: CredentialProblem): string {
  switch (problem.kind) {
    case "no-app-code":
      return "app code cannot be empty";
    case "no-app-secret":
      return "please provide bk_app_secret or bk_signature to verify app";
    case "unknown-app":
      return "app not found";
    case "wrong-app-secret":
      return "bk_app_code or bk_app_secret is incorrect";
    case "bad-bk-token":
      return "user authentication failed, the bk_token is invalid or expired";
    case "bad-access-token":
      return "user authentication failed, the access_token is invalid or expired";
    case "no-user":
      return "user authentication failed, please provide a valid user identity, such as bk_token, access_token";
  }
}

/**
 * bk-tenant-validate.lua on a gateway in "global" tenant mode: a global app must name the tenant in
 * X-Bk-Tenant-Id [AH1]; a tenant's app calls only its own tenant [AH2], with its own users [AU].
 * Undefined when the call may pass.
 */
export function tenantProblem(caller: Caller, headerTenant: string | undefined): string | undefined {
  const { app, user } = caller;
  if (app.tenantId === undefined) {
    if (headerTenant === undefined || headerTenant === "")
      return `Cross-tenant calls are not allowed: header X-Bk-Tenant-Id is required and should not be empty. the app ${app.appCode} tenant_mode=global. [AH1]`;
    return undefined;
  }
  // A tenant's app without the header gets its own tenant filled in.
  const tenant = headerTenant === undefined || headerTenant === "" ? app.tenantId : headerTenant;
  if (tenant !== app.tenantId)
    return `Cross-tenant calls are not allowed: current header X-Bk-Tenant-Id=${tenant}, app ${app.appCode} belongs to tenant ${app.tenantId}(tenant_mode=single). [AH2]`;
  const userTenant = user?.tenantId ?? "default";
  if (user !== undefined && userTenant !== app.tenantId)
    return `Cross-tenant calls are not allowed: app ${app.appCode} belongs to tenant ${app.tenantId}, user ${user.username} belongs to tenant ${userTenant}. [AU]`;
  return undefined;
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
