/**
 * The MRS and API gateway codes this package acts on or explains (docs/apis.md §2), named once.
 * MRS answers with `error_code` or `errorCode`; the gateway's own codes start with `APIGW.`.
 */
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

/** The gateway's own codes: a 5xx with one is a fault, not the service's answer. */
export const isGatewayCode = (code: string) => code.startsWith("APIGW.");

/** The input each "does not exist" code points at. */
export const missingInputs: Record<string, "jobExecutionId" | "clusterId"> = {
  [codes.jobNotFound]: "jobExecutionId",
  [codes.clusterNotFound]: "clusterId",
};

/** What the user can do, by code. */
export const hints: Record<string, string> = {
  [codes.gatewayAuthFailed]:
    "Check the AK/SK (huaweicloud:accessKey/secretKey, HW_ACCESS_KEY/HW_SECRET_KEY) or the IAM token, and this machine's clock: signatures more than 15 minutes off are refused",
  [codes.gatewayTokenExpired]: "The IAM token has expired: get a new one (HW_AUTH_TOKEN)",
  [codes.jobNotFound]: "Check jobExecutionId: no such job in this cluster",
  [codes.clusterNotFound]: "Check clusterId and projectId: no such cluster in this project",
  [codes.killRefused]: "MRS refused to kill the job",
  [codes.killRefusedOther]: "MRS refused to kill the job",
};
