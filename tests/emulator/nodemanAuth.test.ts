import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import {
  allSecretValues,
  esb,
  gateway,
  goodCredentials,
  rawRequest,
  esbPath,
  secrets,
  baseSeed,
  UUID,
  type Envelope,
  type HttpResult,
  appCode,
} from "./helpers";

function expectNoSecret(result: HttpResult): void {
  const everything = result.text + JSON.stringify(result.headers);
  for (const secret of allSecretValues) expect(everything).not.to.include(secret);
}

const wrongCredentials: [string, Record<string, unknown>, RegExp][] = [
  ["no bk_app_code", { ...goodCredentials, bk_app_code: undefined }, /bk_app_code is required/],
  [
    "an unknown bk_app_code",
    { ...goodCredentials, bk_app_code: "other-app" },
    /bk_app_code "other-app" does not exist/,
  ],
  ["no bk_app_secret", { ...goodCredentials, bk_app_secret: "" }, /bk_app_secret is required/],
  ["a wrong bk_app_secret", { ...goodCredentials, bk_app_secret: "wrong" }, /bk_app_secret does not match/],
  ["no token", { ...goodCredentials, bk_token: undefined }, /bk_token or access_token is required/],
  ["a wrong bk_token", { ...goodCredentials, bk_token: "wrong" }, /bk_token is invalid/],
  [
    "a wrong access_token",
    { ...goodCredentials, bk_token: undefined, access_token: "wrong" },
    /access_token is invalid/,
  ],
  [
    "another user's name",
    { ...goodCredentials, bk_username: "mallory" },
    /bk_username "mallory" is not the user/,
  ],
];

describe("emulator: NodeMan authentication", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });
  afterEach(() => emulator.close());

  describe("ESB (common args in the body)", () => {
    it("accepts bk_token or access_token", async () => {
      const withToken = await esb(emulator, "check_task_ready", { subscription_id: 42 });
      expect(withToken.json<Envelope>()).to.deep.equal({
        result: true,
        code: 0,
        message: "success",
        data: true,
      });
      const { bk_token: _token, ...withoutToken } = goodCredentials;
      const withAccessToken = await esb(
        emulator,
        "check_task_ready",
        { subscription_id: 42 },
        { ...withoutToken, access_token: secrets.accessToken },
      );
      expect(withAccessToken.json<Envelope>().result).to.equal(true);
    });

    for (const [what, credentials, message] of wrongCredentials) {
      it(`refuses ${what}: HTTP 200, result false, code 1306101, naming the problem`, async () => {
        const result = await esb(emulator, "revoke", { subscription_id: 42 }, credentials);
        expect(result.status).to.equal(200);
        const envelope = result.json<Envelope>();
        expect(envelope).to.include({ result: false, code: 1306101, data: null });
        expect(envelope.message).to.match(message);
        expectNoSecret(result);
        expect(emulator.effectiveCount()).to.equal(0);
      });
    }

    it("refuses a body that is not JSON", async () => {
      const result = await rawRequest(emulator, {
        method: "POST",
        target: esbPath("revoke"),
        body: "subscription_id=42",
      });
      expect(result.json<Envelope>()).to.include({ result: false, code: 1306101 });
    });
  });

  describe("API gateway (credentials in X-Bkapi-Authorization)", () => {
    it("accepts good credentials, with nothing secret in the body, and sends X-Bkapi-Request-Id", async () => {
      const result = await gateway(emulator, "revoke", { subscription_id: 42 });
      expect(result.status).to.equal(200);
      expect(result.json<Envelope>()).to.deep.equal({
        result: true,
        code: 0,
        message: "success",
        data: null,
      });
      expect(result.headers["x-bkapi-request-id"]).to.match(UUID);
      expect(emulator.requests()[0].body).to.deep.equal({ subscription_id: 42 });
    });

    const refusals: [string, Record<string, unknown> | string | null, RegExp][] = [
      ["no header", null, /X-Bkapi-Authorization header is required/],
      ["a header that is not JSON", `bk_app_code=${appCode}`, /must be a JSON object/],
      ...wrongCredentials,
    ];
    for (const [what, authorization, message] of refusals) {
      it(`refuses ${what}: 401, code 1640001 in the body and X-Bkapi-Error-Code`, async () => {
        const result = await gateway(emulator, "revoke", { subscription_id: 42 }, { authorization });
        expect(result.status).to.equal(401);
        expect(result.json<Envelope>()).to.include({ result: false, code: 1640001, data: null });
        expect(result.json<Envelope>().message).to.match(message);
        expect(result.headers["x-bkapi-error-code"]).to.equal("1640001");
        expect(result.headers["x-bkapi-error-message"]).to.match(message);
        expect(result.headers["x-bkapi-request-id"]).to.match(UUID);
        expectNoSecret(result);
        expect(emulator.effectiveCount()).to.equal(0);
      });
    }

    it("serves the seeded stages and answers 404 code 1640401 for another", async () => {
      expect(
        (await gateway(emulator, "check_task_ready", { subscription_id: 42 }, { stage: "stag" })).status,
      ).to.equal(200);
      const result = await gateway(emulator, "revoke", { subscription_id: 42 }, { stage: "test" });
      expect(result.status).to.equal(404);
      expect(result.json<Envelope>()).to.include({ result: false, code: 1640401 });
      expect(result.headers["x-bkapi-error-code"]).to.equal("1640401");
      expect(result.headers["x-bkapi-request-id"]).to.match(UUID);
      expect(emulator.requests()[1]).to.include({
        route: "unknown",
        api: "nodeman",
        transport: "apigw",
        status: 404,
      });
    });

    it("answers 404 1640401 for an unknown resource or a missing trailing slash", async () => {
      for (const target of [
        "/api/bk-nodeman/prod/backend/api/subscription/delete/",
        "/api/bk-nodeman/prod/backend/api/subscription/revoke",
      ]) {
        const result = await rawRequest(emulator, { method: "POST", target, body: "{}" });
        expect(result.status, target).to.equal(404);
        expect(result.headers["x-bkapi-error-code"], target).to.equal("1640401");
      }
    });
  });
});
