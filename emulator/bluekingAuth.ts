/**
 * BlueKing app and user authentication, shared by the ESB (common args in the body) and the API
 * gateway (the same fields as JSON in X-Bkapi-Authorization). Refusal reasons name the field
 * that is wrong and never echo a secret.
 */
import type { BlueKingUser, EmulatorState } from "./seed";

/** Why these credentials are refused, or undefined when they are good. */
export function bluekingCredentialProblem(
  args: Record<string, unknown>,
  credentials: EmulatorState["blueking"],
): string | undefined {
  const { bk_app_code: appCode, bk_app_secret: appSecret } = args;
  if (!isFilled(appCode)) return "app authentication failed: bk_app_code is required";
  if (!isFilled(appSecret)) return "app authentication failed: bk_app_secret is required";
  const app = credentials.apps.find((candidate) => candidate.appCode === appCode);
  if (app === undefined) return `app authentication failed: bk_app_code "${appCode}" does not exist`;
  if (app.appSecret !== appSecret) {
    return `app authentication failed: bk_app_secret does not match bk_app_code "${appCode}"`;
  }
  return userProblem(args, credentials.users);
}

/** The token identifies the user; bk_username, when sent, must name that same user. */
function userProblem(args: Record<string, unknown>, users: BlueKingUser[]): string | undefined {
  const { bk_token: bkToken, access_token: accessToken, bk_username: username } = args;
  let user: BlueKingUser | undefined;
  if (isFilled(bkToken)) {
    user = users.find((candidate) => candidate.bkToken === bkToken);
    if (user === undefined) return "user authentication failed: bk_token is invalid or expired";
  } else if (isFilled(accessToken)) {
    user = users.find((candidate) => candidate.accessToken === accessToken);
    if (user === undefined) return "user authentication failed: access_token is invalid or expired";
  } else {
    return "user authentication failed: bk_token or access_token is required";
  }
  if (username !== undefined && username !== user.username) {
    return `user authentication failed: bk_username ${JSON.stringify(username)} is not the user of the token`;
  }
  return undefined;
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
