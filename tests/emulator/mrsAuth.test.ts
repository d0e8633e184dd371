import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { signRequest } from "../../provider/signing/sdkHmacSha256";
import {
  akSk,
  jobsPath,
  rawRequest,
  secrets,
  signMrs,
  signedMrs,
  targetOf,
  temporaryAkSk,
  tokenMrs,
  UUID,
  type HttpResult,
  baseSeed,
  type MrsErrorBody,
  accessKey,
} from "./helpers";

/** A frozen emulator clock, so that "now" means the same thing to the client and the server. */
const NOW = new Date("2025-03-01T08:00:00Z");
const MINUTE = 60_000;

function expectRefused(result: HttpResult, code = "APIGW.0301"): void {
  expect(result.status).to.equal(401);
  const body = result.json<MrsErrorBody>();
  expect(body.error_code).to.equal(code);
  expect(body.error_msg).to.be.a("string").and.not.equal("");
  expect(body.request_id).to.match(UUID);
  expect(result.headers["x-request-id"]).to.equal(body.request_id);
}

describe("emulator: MRS authentication", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    emulator.setClock(() => NOW);
  });
  afterEach(() => emulator.close());

  const listCall = {
    method: "GET" as const,
    path: jobsPath,
    query: "job_name=queued&limit=10",
    now: NOW,
  };
  const killCall = {
    method: "POST" as const,
    path: `${jobsPath}/job-running/kill`,
    body: '{"reason":"a"}',
    now: NOW,
  };

  it("accepts a correctly signed request, with X-Request-Id", async () => {
    const result = await signedMrs(emulator, listCall);
    // The list answers 202 (Terraform's data_source_huaweicloud_mapreduce_cluster_jobs.go OkCodes 202).
    expect(result.status).to.equal(202);
    expect(result.json<{ total_record: number }>().total_record).to.equal(1);
    expect(result.headers["x-request-id"]).to.match(UUID);
  });

  it("accepts a signed kill with a body, and a signed body-less kill", async () => {
    expect((await signedMrs(emulator, killCall)).status).to.equal(202);
    const bare = await signedMrs(emulator, {
      method: "POST",
      path: `${jobsPath}/job-accepted/kill`,
      now: NOW,
    });
    expect(bare.status).to.equal(202);
  });

  const tampered: [string, (signed: Record<string, string>) => Parameters<typeof rawRequest>[1]][] = [
    [
      "one byte of the path",
      (headers) => ({ method: "POST", target: `${jobsPath}/job-runninG/kill`, headers, body: killCall.body }),
    ],
    [
      "one byte of the body",
      (headers) => ({
        method: "POST",
        target: `${jobsPath}/job-running/kill`,
        headers,
        body: '{"reason":"b"}',
      }),
    ],
    [
      "the X-Sdk-Date by one second",
      (headers) => ({
        method: "POST",
        target: `${jobsPath}/job-running/kill`,
        headers: { ...headers, "X-Sdk-Date": "20250301T080001Z" },
        body: killCall.body,
      }),
    ],
  ];
  for (const [what, change] of tampered) {
    it(`refuses the signed kill with ${what} changed (401 APIGW.0301), and kills nothing`, async () => {
      const headers = signMrs(emulator, killCall);
      expectRefused(await rawRequest(emulator, change(headers)));
      expect(emulator.effectiveCount("mrs.kill")).to.equal(0);
    });
  }

  it("refuses the signed list with one byte of the query changed", async () => {
    const headers = signMrs(emulator, listCall);
    expectRefused(
      await rawRequest(emulator, {
        method: "GET",
        target: targetOf(jobsPath, "job_name=nightly-etm&limit=10"),
        headers,
      }),
    );
  });

  for (const [minutes, accepted] of [
    [-16, false],
    [16, false],
    [-14, true],
    [14, true],
  ] as const) {
    it(`${accepted ? "accepts" : "refuses"} an X-Sdk-Date ${minutes} minutes off the emulator's clock`, async () => {
      const result = await signedMrs(emulator, {
        ...listCall,
        now: new Date(NOW.getTime() + minutes * MINUTE),
      });
      if (accepted) {
        expect(result.status).to.equal(202);
      } else {
        expectRefused(result);
        expect(result.json<MrsErrorBody>().error_msg).to.match(/more than 15 minutes off/);
      }
    });
  }

  /** Each case breaks one rule; the message shows that rule (and no other) refused it. */
  const broken: [string, (signed: Record<string, string>) => Record<string, string>, RegExp][] = [
    ["no X-Sdk-Date", ({ "X-Sdk-Date": _date, ...rest }) => rest, /X-Sdk-Date header is required/],
    [
      "a malformed X-Sdk-Date",
      (headers) => ({ ...headers, "X-Sdk-Date": "2025-03-01T08:00:00Z" }),
      /YYYYMMDDTHHMMSSZ/,
    ],
    [
      "an unknown access key",
      (headers) => ({
        ...headers,
        Authorization: headers.Authorization.replace(/Access=\w+/, "Access=NOSUCHKEY"),
      }),
      /NOSUCHKEY does not exist/,
    ],
    [
      "another auth scheme",
      (headers) => ({ ...headers, Authorization: "Basic YWxhZGRpbjpvcGVu" }),
      /not a valid SDK-HMAC-SHA256/,
    ],
    [
      "a signed header missing",
      ({ "content-type": _type, ...rest }) => rest,
      /signed header content-type is missing/,
    ],
  ];
  for (const [what, change, message] of broken) {
    it(`refuses a signed request with ${what}`, async () => {
      const result = await rawRequest(emulator, {
        method: "GET",
        target: targetOf(jobsPath, listCall.query),
        headers: change(signMrs(emulator, listCall)),
      });
      expectRefused(result);
      expect(result.json<MrsErrorBody>().error_msg).to.match(message);
    });
  }

  it("accepts a signature that does not cover the host, as Huawei's Go SDK signs (signer.go extractSignedHeaders)", async () => {
    // Signed without host; node:http then adds a Host header the signature does not cover.
    const headers = signRequest(
      { method: "GET", path: jobsPath, query: "", headers: { "content-type": "application/json" }, body: "" },
      akSk,
      NOW,
    );
    expect(headers.Authorization).to.match(/SignedHeaders=content-type;x-sdk-date,/);
    const result = await rawRequest(emulator, { method: "GET", target: jobsPath, headers });
    expect(result.status).to.equal(202);
  });

  it("refuses a signature that does not cover X-Sdk-Date, which every Huawei SDK signs", async () => {
    const signed = signRequest(
      { method: "GET", path: jobsPath, query: "", headers: { "content-type": "application/json" }, body: "" },
      akSk,
      NOW,
    );
    const Authorization = signed.Authorization.replace(
      "SignedHeaders=content-type;x-sdk-date",
      "SignedHeaders=content-type",
    );
    expect(Authorization).to.not.equal(signed.Authorization);
    const result = await rawRequest(emulator, {
      method: "GET",
      target: jobsPath,
      headers: { ...signed, Authorization },
    });
    expectRefused(result);
    expect(result.json<MrsErrorBody>().error_msg).to.match(/SignedHeaders must include x-sdk-date/);
  });

  it("refuses a signature made with the wrong secret key", async () => {
    const result = await signedMrs(emulator, {
      ...listCall,
      credentials: { accessKey, secretKey: "wrong" },
    });
    expectRefused(result);
  });

  it("checks X-Security-Token for temporary credentials", async () => {
    const call = { ...listCall, credentials: temporaryAkSk };
    expect((await signedMrs(emulator, call)).status).to.equal(202);
    const headers = { ...signMrs(emulator, call), "X-Security-Token": "not-the-token" };
    expectRefused(
      await rawRequest(emulator, { method: "GET", target: targetOf(jobsPath, listCall.query), headers }),
    );
  });

  it("token mode: a valid token passes, an unknown one is 0301, an expired one is 0307", async () => {
    expect((await tokenMrs(emulator, "GET", `${jobsPath}/job-running`)).status).to.equal(202);
    expectRefused(await tokenMrs(emulator, "GET", `${jobsPath}/job-running`, "not-a-token"));
    expectRefused(
      await tokenMrs(emulator, "GET", `${jobsPath}/job-running`, secrets.expiredToken),
      "APIGW.0307",
    );
  });

  it("refuses a request with no credentials at all", async () => {
    expectRefused(await rawRequest(emulator, { method: "GET", target: jobsPath }));
  });
});
