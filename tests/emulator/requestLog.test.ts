import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import {
  allSecretValues,
  esb,
  gateway,
  jobsPath,
  rawRequest,
  secrets,
  signedMrs,
  temporaryAkSk,
  baseSeed,
  tokenMrs,
  appCode,
  username,
  accessKey,
} from "./helpers";

describe("emulator: request log and effective counts", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });
  afterEach(() => emulator.close());

  it("records every API request with no seeded secret anywhere in it", async () => {
    await esb(emulator, "task_result", { subscription_id: 42 });
    await esb(
      emulator,
      "revoke",
      { subscription_id: 42 },
      { bk_app_code: appCode, access_token: secrets.accessToken, bk_app_secret: secrets.appSecret },
    );
    await gateway(emulator, "revoke", { subscription_id: 42 });
    await gateway(
      emulator,
      "revoke",
      { subscription_id: 42 },
      { authorization: `not json ${secrets.appSecret}` },
    );
    await signedMrs(emulator, { method: "GET", path: jobsPath, query: "limit=5" });
    await signedMrs(emulator, {
      method: "POST",
      path: `${jobsPath}/job-running/kill`,
      credentials: temporaryAkSk,
    });
    await tokenMrs(emulator, "GET", `${jobsPath}/job-running`);
    await tokenMrs(emulator, "GET", `${jobsPath}/job-running`, secrets.expiredToken);
    await rawRequest(emulator, {
      method: "POST",
      target: `/api/c/compapi/v2/nodeman/backend/api/subscription/revoke/?bk_token=${secrets.bkToken}`,
      headers: { Cookie: `bk_token=${secrets.bkToken}` },
      body: `bk_app_secret=${secrets.appSecret}&bk_token=${secrets.bkToken}`,
    });

    const log = emulator.requests();
    expect(log).to.have.length(9);
    const text = JSON.stringify(log);
    for (const secret of allSecretValues) expect(text, secret).not.to.include(secret);

    const [esbCall, , gatewayCall, , signedCall, temporaryCall, tokenCall] = log;
    expect(esbCall.body).to.include({
      bk_app_secret: "***",
      bk_token: "***",
      bk_app_code: appCode,
      subscription_id: 42,
    });
    expect(JSON.parse(gatewayCall.headers["x-bkapi-authorization"])).to.include({
      bk_app_secret: "***",
      bk_username: username,
    });
    expect(signedCall.headers.authorization).to.match(
      new RegExp(`^SDK-HMAC-SHA256 Access=${accessKey}, SignedHeaders=\\S+, Signature=\\*\\*\\*$`),
    );
    expect(temporaryCall.headers["x-security-token"]).to.equal("***");
    expect(tokenCall.headers["x-auth-token"]).to.equal("***");
  });

  it("records what each request was and how it ended", async () => {
    await gateway(emulator, "revoke", { subscription_id: 42 });
    await tokenMrs(emulator, "GET", `${jobsPath}?job_name=nightly-etl`);
    await rawRequest(emulator, { method: "GET", target: "/nowhere" });
    await rawRequest(emulator, { method: "GET", target: "/_emulator/health" });
    const [revoke, list, unknown, ...rest] = emulator.requests();
    expect(rest).to.deep.equal([]);
    expect(revoke).to.include({
      seq: 1,
      api: "nodeman",
      route: "nodeman.revoke",
      transport: "apigw",
      method: "POST",
      path: "/api/bk-nodeman/prod/backend/api/subscription/revoke/",
      status: 200,
      effective: true,
    });
    expect(Date.parse(revoke.time)).to.be.closeTo(Date.now(), 5000);
    expect(list).to.include({
      seq: 2,
      api: "mrs",
      route: "mrs.list_jobs",
      query: "job_name=nightly-etl",
      // MRS lists with 202 (terraform-provider-huaweicloud data_source_huaweicloud_mapreduce_cluster_jobs.go OkCodes 202).
      status: 202,
      effective: false,
    });
    expect(list).not.to.have.property("transport");
    expect(unknown).to.include({ api: "unknown", route: "unknown", status: 404 });
    expect(emulator.requests({ route: "mrs.list_jobs" })).to.have.length(1);
    emulator.clearRequests();
    expect(emulator.requests()).to.deep.equal([]);
  });

  it("gives copies: changing what requests() returned does not change the log", async () => {
    await tokenMrs(emulator, "GET", `${jobsPath}/job-running`);
    emulator.requests()[0].status = 999;
    expect(emulator.requests()[0].status).to.equal(202);
  });

  it("counts effective requests per route and in total", async () => {
    await gateway(emulator, "revoke", { subscription_id: 42, instance_id_list: ["host|instance|host|1"] });
    await gateway(emulator, "revoke", { subscription_id: 42, instance_id_list: ["host|instance|host|1"] });
    await gateway(emulator, "revoke", { subscription_id: 44 });
    await tokenMrs(emulator, "POST", `${jobsPath}/job-running/kill`);
    await tokenMrs(emulator, "POST", `${jobsPath}/job-finished/kill`);
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    expect(emulator.effectiveCount("mrs.get_job")).to.equal(0);
    expect(emulator.effectiveCount()).to.equal(2);
    emulator.clearRequests();
    expect(emulator.effectiveCount()).to.equal(2);
  });
});
