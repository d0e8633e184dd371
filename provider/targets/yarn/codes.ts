/**
 * The ResourceManager's answers this package acts on (docs/apis.md §3), named once. RMWebServices
 * answers a failure with `{"RemoteException": {"exception": NAME, "message", "javaClassName"}}`,
 * the status chosen by GenericExceptionHandler from the exception's class; a refused kill is the
 * one plain-text answer (RMWebServices.killApp: 403 "Unauthorized attempt to kill appid ...").
 */
import { isApiError } from "../../errors";

export const exceptions = {
  /** No such application (RMWebServices.getRMAppForAppId), HTTP 404. */
  notFound: "NotFoundException",
  /** A malformed id or an unknown queue in a listing (WebAppUtils.parseApplicationId, ApplicationsRequestBuilder), HTTP 400. */
  badRequest: "BadRequestException",
  /** Not allowed (RMWebServices.initForWritableEndpoints), HTTP 403. */
  forbidden: "ForbiddenException",
  /** No user: "Unable to obtain user name, user not authenticated", HTTP 401. */
  authorization: "AuthorizationException",
} as const;

/** YarnApplicationState (hadoop-yarn-api): the states an application is listed in. */
export const finalStates = ["FINISHED", "FAILED", "KILLED"];
export const nonFinalStates = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"];
/**
 * RMAppState: what GET and PUT `.../apps/{id}/state` answer (`app.getState()`), which has three
 * passing states more than the listings' YarnApplicationState: FINAL_SAVING, FINISHING, KILLING.
 */
export const passingStates = ["FINAL_SAVING", "FINISHING", "KILLING"];

export const isFinalState = (state: unknown) => finalStates.includes(String(state));

/** What the user can do, by exception. */
export const hints: Record<string, string> = {
  [exceptions.notFound]:
    "Check applicationId: this ResourceManager has no such application (it forgets finished ones past yarn.resourcemanager.max-completed-applications)",
  [exceptions.forbidden]:
    "The ResourceManager refused the user: set yarn:user (HADOOP_USER_NAME) to the application's owner or a YARN admin",
  [exceptions.authorization]:
    "The ResourceManager knows no user for this request: set yarn:user (HADOOP_USER_NAME); Kerberos (SPNEGO) is not supported yet",
};

/**
 * An error saying the ResourceManager refused who the request runs as: 401 (no user, or Kerberos
 * asked for: AuthorizationException, or SPNEGO's `WWW-Authenticate: Negotiate`) or 403 (the user
 * refused: ForbiddenException). `Target.isCredentialsRefused`.
 */
export const isCredentialsRefused = (error: unknown): boolean =>
  isApiError(error) && error.service === "YARN" && (error.httpStatus === 401 || error.httpStatus === 403);
