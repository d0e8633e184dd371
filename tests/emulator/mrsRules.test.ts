/**
 * The emulator's MRS rules that follow Huawei's own code, one test per rule, named after it (the
 * source of each is in the comment beside the rule in emulator/mrs.ts and emulator/huaweiAuth.ts),
 * and the modes for what the sources allow but do not settle.
 */
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { createHash, createHmac } from "node:crypto";
import { formatSdkDate, signRequest } from "../../provider/signing/sdkHmacSha256";
import {
  akSk,
  baseSeed,
  jobsPath,
  rawRequest,
  secrets,
  signMrs,
  signedMrs,
  targetOf,
  tokenMrs,
  UUID,
  type JobDetailBody,
} from "./helpers";

const withHuawei = (huawei: NonNullable<SeedState["huawei"]>): SeedState => {
  const seed = baseSeed();
  return { ...seed, huawei: { ...seed.huawei, ...huawei } };
};

describe("emulator: MRS rules from Huawei's sources", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());
  const start = async (seed: SeedState = baseSeed()) => {
    emulator = await startEmulator({ seed });
  };

  it("list answers 202 (terraform-provider-huaweicloud data_source_huaweicloud_mapreduce_cluster_jobs.go OkCodes 202)", async () => {
    await start();
    const result = await tokenMrs(emulator, "GET", `${jobsPath}?job_name=nightly-etl`);
    expect(result.status).to.equal(202);
    expect(result.json<{ total_record: number }>().total_record).to.equal(1);
  });

  describe("list filters follow the SDKs' doc of each query parameter", () => {
    const refused: [string, string][] = [
      ["job_name", "nightly etl"],
      ["job_name", "a.b"],
      ["job_name", "x".repeat(129)],
      ["user", "1alice"],
      ["user", "a".repeat(33)],
      ["user", "al ice"],
      ["queue", "root.default"],
      ["queue", "q".repeat(65)],
    ];
    for (const [name, value] of refused) {
      it(`refuses ${name}=${JSON.stringify(value.slice(0, 16))} with 400 0162`, async () => {
        await start();
        const query = new URLSearchParams({ [name]: value }).toString();
        const result = await tokenMrs(emulator, "GET", `${jobsPath}?${query}`);
        expect(result.status).to.equal(400);
        expect(result.json()).to.deep.include({ error_code: "0162" });
        expect(result.json<{ error_msg: string }>().error_msg).to.include(`${name} must be`);
      });
    }
    const accepted: [string, string][] = [
      ["job_name", "x".repeat(128)],
      ["job_name", "A-z_09"],
      ["user", "_a.b-c9"],
      ["user", "a".repeat(32)],
      ["queue", "q".repeat(64)],
    ];
    for (const [name, value] of accepted) {
      it(`accepts ${name}=${JSON.stringify(value.slice(0, 16))} at the rule's edge`, async () => {
        await start();
        const query = new URLSearchParams({ [name]: value }).toString();
        expect((await tokenMrs(emulator, "GET", `${jobsPath}?${query}`)).status).to.equal(202);
      });
    }
  });

  it("seeded job names follow the submission rule (model_job_execution.go: letters, digits, - and _, 1 to 64)", async () => {
    const seed = baseSeed();
    const jobs = seed.huawei!.projects![Object.keys(seed.huawei!.projects!)[0]].clusters;
    const [cluster] = Object.values(jobs);
    cluster.jobs.push({ job_id: "spaced", job_state: "RUNNING", job_name: "nightly etl" });
    try {
      await start(seed);
      expect.fail("a seed with an impossible job name was loaded");
    } catch (error) {
      expect((error as Error).message).to.match(/job_name must be an MRS job name/);
      emulator = await startEmulator(); // for afterEach
    }
  });

  describe("signatures: what Huawei's SDKs sign", () => {
    beforeEach(() => start());

    it("the Go SDK's header set (user-agent, x-project-id, x-sdk-date; no host, no content-type) is accepted", async () => {
      const headers = signRequest(
        {
          method: "GET",
          path: `${jobsPath}/job-running`,
          query: "",
          headers: { "User-Agent": "huaweicloud-usdk-go/3.0", "X-Project-Id": "p" },
          body: "",
        },
        akSk,
      );
      expect(headers.Authorization).to.include("SignedHeaders=user-agent;x-project-id;x-sdk-date,");
      const result = await rawRequest(emulator, {
        method: "GET",
        target: `${jobsPath}/job-running`,
        headers: { ...headers, "Content-Type": "application/json" },
      });
      expect(result.status).to.equal(202);
    });

    it("signed header values are compared trimmed (signer.go strings.TrimSpace, signer.py strip)", async () => {
      const headers = signMrs(emulator, {
        method: "GET",
        path: `${jobsPath}/job-running`,
        headers: { "x-project-id": "  p  " },
      });
      const result = await rawRequest(emulator, {
        method: "GET",
        target: `${jobsPath}/job-running`,
        headers,
      });
      expect(result.status).to.equal(202);
    });

    /** A kill signed as the Go SDK signs when it states the payload hash: the payload line is the header's value. */
    function statedKill(stated: string): Record<string, string> {
      const path = `${jobsPath}/job-running/kill`;
      const date = formatSdkDate(new Date());
      const canonical = [
        "POST",
        `${path}/`,
        "",
        `host:127.0.0.1:${emulator.port}\nx-sdk-content-sha256:${stated}\nx-sdk-date:${date}\n`,
        "host;x-sdk-content-sha256;x-sdk-date",
        stated,
      ].join("\n");
      const digest = createHash("sha256").update(canonical).digest("hex");
      const signature = createHmac("sha256", akSk.secretKey)
        .update(`SDK-HMAC-SHA256\n${date}\n${digest}`)
        .digest("hex");
      return {
        "X-Sdk-Date": date,
        "X-Sdk-Content-Sha256": stated,
        "Content-Type": "application/octet-stream",
        Authorization: `SDK-HMAC-SHA256 Access=${akSk.accessKey}, SignedHeaders=host;x-sdk-content-sha256;x-sdk-date, Signature=${signature}`,
      };
    }
    const kill = (headers: Record<string, string>) =>
      rawRequest(emulator, {
        method: "POST",
        target: `${jobsPath}/job-running/kill`,
        headers,
        body: "any body",
      });

    it("a signed X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD stands for the body's hash (signer.go getContentHash)", async () => {
      expect((await kill(statedKill("UNSIGNED-PAYLOAD"))).status).to.equal(202);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("a signed X-Sdk-Content-Sha256 other than UNSIGNED-PAYLOAD must be the body's hash", async () => {
      const other = createHash("sha256").update("another body").digest("hex");
      expect((await kill(statedKill(other))).status).to.equal(401);
      const own = createHash("sha256").update("any body").digest("hex");
      expect((await kill(statedKill(own))).status).to.equal(202);
    });

    it("an unsigned X-Sdk-Content-Sha256 does not free the body from the signature", async () => {
      const path = `${jobsPath}/job-running/kill`;
      const headers = signMrs(emulator, { method: "POST", path, body: "signed body" });
      const result = await rawRequest(emulator, {
        method: "POST",
        target: path,
        headers: { ...headers, "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD" },
        body: "another body",
      });
      expect(result.status).to.equal(401);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(0);
    });
  });

  describe("mode gatewayCodes APIG: the gateway's codes as the API Gateway docs print them", () => {
    beforeEach(() => start(withHuawei({ gatewayCodes: "APIG" })));

    it("a wrong signature is 401 APIG.0301, with the request id in the body and X-Request-Id", async () => {
      const result = await signedMrs(emulator, {
        method: "GET",
        path: jobsPath,
        credentials: { ...akSk, secretKey: "wrong" },
      });
      expect(result.status).to.equal(401);
      const body = result.json<{ error_code: string; request_id: string }>();
      expect(body.error_code).to.equal("APIG.0301");
      expect(body.request_id).to.match(UUID).and.equal(result.headers["x-request-id"]);
    });

    it("an expired token is APIG.0307, an unknown API 404 APIG.0101, throttling 429 APIG.0308", async () => {
      const expired = await tokenMrs(emulator, "GET", jobsPath, secrets.expiredToken);
      expect(expired.json()).to.deep.include({ error_code: "APIG.0307" });
      const unknown = await tokenMrs(emulator, "GET", "/v2/nope");
      expect([unknown.status, unknown.json().error_code]).to.deep.equal([404, "APIG.0101"]);
      emulator.injectFault({ route: "mrs.get_job", fault: { kind: "status", status: 429 } });
      const throttled = await tokenMrs(emulator, "GET", `${jobsPath}/job-running`);
      expect([throttled.status, throttled.json().error_code]).to.deep.equal([429, "APIG.0308"]);
    });

    it("MRS's own codes are not respelled", async () => {
      const missing = await tokenMrs(emulator, "GET", `${jobsPath}/no-such-job`);
      expect(missing.json()).to.deep.include({ error_code: "0176" });
    });
  });

  describe("mode errorBodies nested: {error: {code, message}}, which the SDKs also read", () => {
    beforeEach(() => start(withHuawei({ errorBodies: "nested" })));

    it("a missing job, a missing cluster and a refused kill answer nested", async () => {
      const missing = await tokenMrs(emulator, "GET", `${jobsPath}/no-such-job`);
      expect(missing.status).to.equal(400);
      expect(missing.json<{ error: { code: string; message: string } }>().error.code).to.equal("0176");
      const cluster = await tokenMrs(emulator, "GET", jobsPath.replace(/clusters\/[^/]+/, "clusters/nope"));
      expect(cluster.json()).to.deep.equal({
        error: { code: "12000003", message: "The cluster nope does not exist" },
      });
      const refused = await tokenMrs(emulator, "POST", `${jobsPath}/job-finished/kill`);
      expect(refused.json<{ error: { code: string } }>().error.code).to.equal("0175");
    });

    it("the gateway's refusal answers nested, with request_id beside it", async () => {
      const result = await tokenMrs(emulator, "GET", jobsPath, "not-a-token");
      const body = result.json<{ error: { code: string; message: string }; request_id: string }>();
      expect(body.error.code).to.equal("APIGW.0301");
      expect(body.error.message).to.match(/Incorrect IAM authentication information/);
      expect(body.request_id).to.match(UUID);
      expect(Object.keys(body).sort()).to.deep.equal(["error", "request_id"]);
    });
  });

  describe("mode killedJobState FINISHED (hazard H5): a killed job reads FINISHED, job_result KILLED", () => {
    beforeEach(() => start(withHuawei({ killedJobState: "FINISHED" })));

    it("the read and the list show FINISHED / KILLED once the kill took effect; a second kill is 0175", async () => {
      expect((await tokenMrs(emulator, "POST", `${jobsPath}/job-running/kill`)).status).to.equal(202);
      const read = await tokenMrs(emulator, "GET", `${jobsPath}/job-running`);
      const { job_state, job_result } = read.json<JobDetailBody>().job_detail;
      expect([job_state, job_result]).to.deep.equal(["FINISHED", "KILLED"]);
      const listed = await tokenMrs(emulator, "GET", `${jobsPath}?job_state=FINISHED&job_name=nightly-etl`);
      expect(listed.json<{ total_record: number }>().total_record).to.equal(1);
      const again = await tokenMrs(emulator, "POST", `${jobsPath}/job-running/kill`);
      expect([again.status, again.json().error_code]).to.deep.equal([400, "0175"]);
    });
  });

  it("a reply fault afterApply applies the kill, then answers the fault (a gateway 500 after the effect)", async () => {
    await start();
    emulator.injectFault({
      route: "mrs.kill",
      fault: {
        kind: "reply",
        status: 500,
        body: { error_code: "APIG.0201", error_msg: "Backend unavailable" },
        afterApply: true,
      },
    });
    const result = await tokenMrs(emulator, "POST", `${jobsPath}/job-running/kill`);
    expect([result.status, result.json().error_code]).to.deep.equal([500, "APIG.0201"]);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    const [logged] = emulator.requests({ route: "mrs.kill" });
    expect(logged.fault).to.equal("reply-after-apply:500");
    const read = await tokenMrs(emulator, "GET", `${jobsPath}/job-running`);
    expect(read.json<JobDetailBody>().job_detail.job_state).to.equal("KILLED");
  });

  it("the admin API refuses a reply fault whose afterApply is not a boolean", async () => {
    await start();
    const result = await rawRequest(emulator, {
      method: "POST",
      target: targetOf("/_emulator/faults"),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ route: "mrs.kill", fault: { kind: "reply", status: 500, afterApply: "yes" } }),
    });
    expect(result.status).to.equal(400);
    expect(result.text).to.include("fault.afterApply");
  });
});
