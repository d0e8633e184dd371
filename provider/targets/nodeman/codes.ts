/**
 * NodeMan's service codes (docs/apis.md §1), named once: the target acts on some and explains
 * others. NodeMan's own codes are 38xxxxx; 16xxxxx come from the API gateway.
 */
export const codes = {
  /** The API gateway refused the credentials. */
  gatewayAuthFailed: "1640001",
  /** NodeMan refused the request's fields. */
  invalidRequest: "3800001",
  /** The subscription has no task (or does not exist). */
  noTask: "3800003",
  /** The subscription's task is not ready yet. */
  taskNotReady: "3800015",
  /** Nothing is running: there is nothing to revoke. */
  nothingToRevoke: "3800016",
  /** NodeMan's gateway check failed: called around the API gateway. */
  gatewayCheckFailed: "3800018",
} as const;

/** A NodeMan code: a 5xx carrying one is the service's answer, not a fault to retry. */
export const isNodemanCode = (code: unknown) => /^38\d{5}$/.test(String(code));

/** What the user can do, by code. */
export const hints: Record<string, string> = {
  [codes.gatewayAuthFailed]:
    "The API gateway refused the credentials: check blueking:appCode/appSecret/username and bkToken or accessToken",
  [codes.invalidRequest]: "NodeMan refused the request's fields",
  [codes.noTask]: "Check subscriptionId: the subscription has no task",
  [codes.gatewayCheckFailed]:
    "NodeMan's gateway check failed: call it through the API gateway with valid app credentials",
};
