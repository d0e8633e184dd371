/**
 * The MRS and API gateway codes this package acts on or explains (docs/apis.md §2.5), named once.
 * MRS answers with `error_code` or `errorCode`; the gateway's own codes are `APIGW.xxxx` or, on
 * current gateways, `APIG.xxxx` (the same number means the same thing in both spellings).
 */
import { isApiError } from "../../errors";
import { lookupCode } from "../../core/codeTable";

export const codes = {
  /** The gateway refused the signature or token (a wrong AK/SK, or a clock more than 15 minutes off). */
  gatewayAuthFailed: "APIGW.0301",
  /** The IAM token has expired. */
  gatewayTokenExpired: "APIGW.0307",
  /** No such job execution in the cluster. */
  jobNotFound: "0176",
  /** No such cluster in the project. */
  clusterNotFound: "12000003",
  /** MRS refused the kill (the job is not in a state that can be killed). */
  killRefused: "0175",
  /** MRS refused the kill (another form of the same refusal). */
  killRefusedOther: "0160",
} as const;

// "APIGW.0301" observed (huaweicloud-sdk-nodejs-v3#2, ddns-go#844); "APIG.0301" in the API Gateway
// user guide's error table (support.huaweicloud.com usermanual-apig apig_03_0048, apig-faq-0003).
const gatewayCodePattern = /^APIGW?\.(\d{4})$/;

/**
 * The one predicate for the gateway's own codes, in either spelling: a 5xx with one is the gateway's
 * fault (retried; a kill it answers is "uncertain"), not the service's answer.
 */
export const isGatewayCode = (code: string | undefined): boolean =>
  code !== undefined && gatewayCodePattern.test(code);

/** `APIG.0301` and `APIGW.0301` → `"0301"`; undefined for a code that is not the gateway's. */
const gatewayNumber = (code: string | undefined) =>
  code === undefined ? undefined : gatewayCodePattern.exec(code)?.[1];

/**
 * What the user can do about a gateway code, by number (apig_03_0048's table; 0307 from the
 * gateway's signing guide). Only where the user can act: the gateway's malformed-request and internal
 * faults (0103-0107, 0201-0203) get none (on a 5xx they are retried); throttling (0308, HTTP 429)
 * gets the advice every 429 gets (provider/errors.ts).
 */
const gatewayHints: Record<string, string> = {
  "0101":
    "The gateway has no such API at this address: check huaweicloud:mrsEndpoint / HW_MRS_ENDPOINT, or huaweicloud:region and huaweicloud:cloud (the MRS endpoint is https://mrs.{region}.{cloud domain})",
  "0301":
    "Check the AK/SK (huaweicloud:accessKey and huaweicloud:secretKey, or HW_ACCESS_KEY and HW_SECRET_KEY) or the IAM token (huaweicloud:authToken, HW_AUTH_TOKEN), and this machine's clock: signatures more than 15 minutes off are refused; after 5 failures in a row the gateway locks the AK for 5 minutes",
  "0302":
    "The IAM user is not allowed to call this API: grant it MRS permissions in IAM (or lift the gateway's access control for it)",
  "0307": "The IAM token has expired: get a new one (huaweicloud:authToken, HW_AUTH_TOKEN)",
};

/** What the user can do, by code. */
const serviceHints: Record<string, string> = {
  [codes.jobNotFound]: "Check jobExecutionId: no such job in this cluster",
  [codes.clusterNotFound]: "Check clusterId and projectId: no such cluster in this project",
  [codes.killRefused]: "MRS refused to kill the job",
  [codes.killRefusedOther]: "MRS refused to kill the job",
};

/** The advice for a code, the gateway's in either spelling or MRS's own. */
export function hintFor(code: string | undefined): string | undefined {
  const gateway = gatewayNumber(code);
  return gateway !== undefined ? lookupCode(gatewayHints, gateway) : lookupCode(serviceHints, code);
}

/** The gateway refused who we are (signature, AK/SK, token, its expiry) or what we may call. */
const refusedNumbers = new Set(["0301", "0302", "0307"]);

/** An error saying the credentials (or the clock they are signed with) were refused: `Target.isCredentialsRefused`. */
export const isCredentialsRefused = (error: unknown): boolean =>
  isApiError(error) && refusedNumbers.has(gatewayNumber(error.code) ?? "");

/** The input each "does not exist" code points at. */
export const missingInputs: Record<string, "jobExecutionId" | "clusterId"> = {
  [codes.jobNotFound]: "jobExecutionId",
  [codes.clusterNotFound]: "clusterId",
};
