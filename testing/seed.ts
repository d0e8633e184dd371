/**
 * The one seed of test data, shared by the emulator's and the provider's tests, the soak, the
 * end-to-end tests and the benchmark: recognisable credentials (so that a leak is easy to find), an
 * emulator seed, and the stack config that points a provider at an emulator.
 */
import type { SeedState } from "../emulator/seed";

export const secrets = {
  appSecret: "APP-SECRET-d41d8cd98f00",
  bkToken: "BK-TOKEN-0cc175b9c0f1b6a8",
  accessToken: "BK-ACCESS-TOKEN-92eb5ffee6ae2fec",
  secretKey: "HW-SECRET-KEY-4a8a08f09d37b737",
  temporarySecretKey: "HW-TEMP-SECRET-KEY-c9f0f895fb98ab91",
  securityToken: "HW-SECURITY-TOKEN-8277e0910d750195",
  authToken: "HW-IAM-TOKEN-e4da3b7fbbce2345",
  expiredToken: "HW-EXPIRED-TOKEN-1679091c5a880faf",
};

export const allSecretValues = Object.values(secrets);

export const appCode = "pulumi-termination";
export const username = "admin";
export const accessKey = "HWAKTESTACCESSKEY01";
/** A second key pair: temporary credentials, valid only with their security token. */
export const temporaryAkSk = {
  accessKey: "HWAKTESTTEMPORARYKEY1",
  secretKey: secrets.temporarySecretKey,
  securityToken: secrets.securityToken,
};
export const projectId = "0b1ea1e1f0e04c5d9d8c4c5f1a2b3c4d";
export const clusterId = "cluster-1";

/** `extra` replaces top-level fields, e.g. `{ mrsKillDelayMs: 1000 }`. */
export function baseSeed(extra: Partial<SeedState> = {}): SeedState {
  return {
    blueking: {
      apps: [{ appCode, appSecret: secrets.appSecret }],
      users: [{ username, bkToken: secrets.bkToken, accessToken: secrets.accessToken }],
      stages: ["prod", "stag"],
      subscriptions: [
        {
          subscriptionId: 42,
          instances: [
            { instanceId: "host|instance|host|1", status: "RUNNING" },
            { instanceId: "host|instance|host|2", status: "RUNNING" },
            { instanceId: "host|instance|host|127.0.0.1-0-0", status: "PENDING" },
            { instanceId: "host|instance|host|4", status: "SUCCESS" },
          ],
        },
        { subscriptionId: 43, instances: [{ instanceId: "host|instance|host|9", status: "SUCCESS" }] },
        { subscriptionId: 44, instances: [] },
      ],
    },
    huawei: {
      akSk: [{ accessKey, secretKey: secrets.secretKey }, temporaryAkSk],
      tokens: [secrets.authToken],
      expiredTokens: [secrets.expiredToken],
      projects: {
        [projectId]: {
          clusters: {
            [clusterId]: {
              jobs: [
                {
                  job_id: "job-running",
                  job_name: "nightly-etl",
                  job_state: "RUNNING",
                  job_result: "UNDEFINED",
                  user: "etl",
                  submitted_time: 3000,
                },
                {
                  job_id: "job-accepted",
                  job_name: "queued",
                  job_state: "ACCEPTED",
                  job_result: "UNDEFINED",
                  submitted_time: 2000,
                },
                {
                  job_id: "job-finished",
                  job_name: "done",
                  job_state: "FINISHED",
                  job_result: "SUCCEEDED",
                  submitted_time: 1000,
                },
              ],
            },
          },
        },
      },
    },
    ...extra,
  };
}

/** The base seed without subscription 42, without job-running, or without its whole cluster: targets gone since. */
export function seedWithout(what: "subscription" | "job" | "cluster"): SeedState {
  const seed = baseSeed();
  if (what === "subscription")
    seed.blueking!.subscriptions = seed.blueking!.subscriptions!.filter((s) => s.subscriptionId !== 42);
  const project = Object.values(seed.huawei!.projects!)[0];
  if (what === "job")
    project.clusters[clusterId].jobs = project.clusters[clusterId].jobs.filter(
      (j) => j.job_id !== "job-running",
    );
  if (what === "cluster") delete project.clusters[clusterId];
  return seed;
}

export function huaweiConfig(url: string, mode: "aksk" | "token" = "aksk"): Record<string, string> {
  const credentials: Record<string, string> =
    mode === "aksk"
      ? { "huaweicloud:accessKey": accessKey, "huaweicloud:secretKey": secrets.secretKey }
      : { "huaweicloud:authToken": secrets.authToken };
  return {
    ...credentials,
    "huaweicloud:projectId": projectId,
    "huaweicloud:mrsEndpoint": url,
    "huaweicloud:region": "cn-north-4",
  };
}

export function bluekingConfig(url: string, route: "apigw" | "esb"): Record<string, string> {
  const endpoint: Record<string, string> =
    route === "apigw" ? { "blueking:apigwUrlTemplate": `${url}/api/{api_name}` } : { "blueking:esbUrl": url };
  return {
    "blueking:appCode": appCode,
    "blueking:appSecret": secrets.appSecret,
    "blueking:username": username,
    "blueking:bkToken": secrets.bkToken,
    ...endpoint,
  };
}

export interface StackConfig {
  plain: Record<string, string>;
  /** Set with `pulumi config set --secret`, through standard input. */
  secret: Record<string, string>;
}

/**
 * The providers' stack config for an emulator at `url` seeded with `seed`, from the seed's first
 * project, app, user and access key: one statement for the e2e stacks and the demo.
 */
export function providerStackConfig(seed: SeedState, url: string): StackConfig {
  const app = seed.blueking?.apps?.[0];
  const user = seed.blueking?.users?.[0];
  const keys = seed.huawei?.akSk?.[0];
  const project = Object.keys(seed.huawei?.projects ?? {})[0];
  if (!app || !user?.bkToken || !keys || !project)
    throw new Error("the seed lacks a project, an app, a user with a bk_token or an access key");
  return {
    plain: {
      "huaweicloud:accessKey": keys.accessKey,
      "huaweicloud:projectId": project,
      "huaweicloud:mrsEndpoint": url,
      "blueking:appCode": app.appCode,
      "blueking:username": user.username,
      "blueking:apigwUrlTemplate": `${url}/api/{api_name}`,
    },
    secret: {
      "huaweicloud:secretKey": keys.secretKey,
      "blueking:appSecret": app.appSecret,
      "blueking:bkToken": user.bkToken,
    },
  };
}
