/**
 * The emulator's rules for the two ways into NodeMan, one test (or table) per rule, each named after
 * it and its source: the ESB (blueking-apigateway src/esb) and the API gateway
 * (blueking-apigateway-apisix src/apisix/plugins), docs/apis.md §1.2 and §1.5.
 */
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
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
  username,
  type Envelope,
  type HttpResult,
  appCode,
} from "./helpers";

function expectNoSecret(result: HttpResult): void {
  const everything = result.text + JSON.stringify(result.headers);
  for (const secret of allSecretValues) expect(everything).not.to.include(secret);
}

/** [what, credentials, the ESB's wording, the gateway's wording]. */
const wrongCredentials: [string, Record<string, unknown>, RegExp, RegExp][] = [
  [
    "no bk_app_code",
    { ...goodCredentials, bk_app_code: undefined },
    /^APP Code \[bk_app_code\] cannot be empty$/,
    /reason="app code cannot be empty"/,
  ],
  [
    "an unknown bk_app_code",
    { ...goodCredentials, bk_app_code: "other-app" },
    /^Invalid APP Code \[bk_app_code=other-app\], please confirm/,
    /reason="app not found"/,
  ],
  [
    "no bk_app_secret",
    { ...goodCredentials, bk_app_secret: "" },
    /^APP Secret \[bk_app_secret\] cannot be empty$/,
    /reason="please provide bk_app_secret or bk_signature to verify app"/,
  ],
  [
    "a wrong bk_app_secret",
    { ...goodCredentials, bk_app_secret: "wrong" },
    /^APP Secret verification failed/,
    /reason="bk_app_code or bk_app_secret is incorrect"/,
  ],
  [
    "no token",
    { ...goodCredentials, bk_token: undefined },
    /please provide a valid user identity/,
    /please provide a valid user identity/,
  ],
  [
    "a wrong bk_token",
    { ...goodCredentials, bk_token: "wrong" },
    /please check if the bk_token is valid/,
    /the bk_token is invalid or expired/,
  ],
  [
    "a wrong access_token",
    { ...goodCredentials, bk_token: undefined, access_token: "wrong" },
    /please check if the access_token is valid/,
    /the access_token is invalid or expired/,
  ],
];

describe("emulator: NodeMan authentication", () => {
  let emulator: Emulator;
  const start = async (blueking: Partial<NonNullable<SeedState["blueking"]>> = {}) => {
    const seed = baseSeed();
    seed.blueking = { ...seed.blueking, ...blueking };
    emulator = await startEmulator({ seed });
  };
  afterEach(() => emulator.close());

  describe("ESB (common args in the body)", () => {
    beforeEach(() => start());

    it("accepts bk_token or access_token", async () => {
      const withToken = await esb(emulator, "check_task_ready", { subscription_id: 42 });
      expect(withToken.json<Envelope>()).to.deep.equal({ result: true, code: 0, message: "", data: true });
      const { bk_token: _token, ...withoutToken } = goodCredentials;
      const withAccessToken = await esb(
        emulator,
        "check_task_ready",
        { subscription_id: 42 },
        { ...withoutToken, access_token: secrets.accessToken },
      );
      expect(withAccessToken.json<Envelope>().result).to.equal(true);
    });

    it("takes the user from the token: a bk_username beside it is not compared (esb bkauth/validators.py UserAuthValidator)", async () => {
      const result = await esb(
        emulator,
        "check_task_ready",
        { subscription_id: 42 },
        { ...goodCredentials, bk_username: "mallory" },
      );
      expect(result.json<Envelope>().result).to.equal(true);
    });

    for (const [what, credentials, message] of wrongCredentials) {
      it(`refuses ${what}: HTTP 200, code 1306000, the validator's text (esb channel/base.py CommonAPIError)`, async () => {
        const result = await esb(emulator, "revoke", { subscription_id: 42 }, credentials);
        expect(result.status).to.equal(200);
        const envelope = result.json<Envelope>();
        expect(envelope).to.include({ result: false, code: 1306000, data: null });
        expect(envelope.message).to.match(message);
        expectNoSecret(result);
        expect(emulator.effectiveCount()).to.equal(0);
      });
    }

    it("refuses a body that is not JSON as one without credentials (1306000)", async () => {
      const result = await rawRequest(emulator, {
        method: "POST",
        target: esbPath("revoke"),
        body: "subscription_id=42",
      });
      expect(result.json<Envelope>()).to.include({ result: false, code: 1306000 });
    });

    it("a bk_username alone passes only for an app on the skip-user-auth list (esb bkauth/validators.py)", async () => {
      await emulator.close();
      await start({ apps: [{ appCode, appSecret: secrets.appSecret, userAuthExempt: true }] });
      const { bk_token: _token, ...nameOnly } = goodCredentials;
      expect(
        (await esb(emulator, "check_task_ready", { subscription_id: 42 }, nameOnly)).json<Envelope>().result,
      ).to.equal(true);
    });

    it("an app without the component's permission: 1306403 (esb compperm/validators.py)", async () => {
      await emulator.close();
      await start({ apps: [{ appCode, appSecret: secrets.appSecret, permitted: false }] });
      const envelope = (await esb(emulator, "revoke", { subscription_id: 42 })).json<Envelope>();
      expect(envelope).to.include({ result: false, code: 1306403 });
      expect(envelope.message).to.match(/apply for permission/);
      expect(emulator.effectiveCount()).to.equal(0);
    });
  });

  describe("API gateway (credentials in X-Bkapi-Authorization)", () => {
    beforeEach(() => start());

    it("accepts good credentials, with nothing secret in the body, and sends X-Bkapi-Request-Id", async () => {
      const result = await gateway(emulator, "revoke", { subscription_id: 42 });
      expect(result.status).to.equal(200);
      expect(result.json<Envelope>()).to.deep.equal({ result: true, code: 0, message: "", data: null });
      expect(result.headers["x-bkapi-request-id"]).to.match(UUID);
      expect(emulator.requests()[0].body).to.deep.equal({ subscription_id: 42 });
    });

    it("no credentials at all: 401, code 1640100, WWW-Authenticate (bk-oauth2-protected-resource.lua)", async () => {
      const result = await gateway(emulator, "revoke", { subscription_id: 42 }, { authorization: null });
      expect(result.status).to.equal(401);
      expect(result.json<Envelope>()).to.include({ result: false, code: 1640100, data: null });
      expect(result.json<Envelope>().message).to.equal(
        'Unauthorized [reason="no valid authentication header found" expected="Authorization: Bearer <token>"]',
      );
      expect(result.headers["x-bkapi-error-code"]).to.equal("1640100");
      expect(result.headers["www-authenticate"]).to.match(/^Bearer error="invalid_request"/);
      expect(emulator.effectiveCount()).to.equal(0);
    });

    const refusals: [string, Record<string, unknown> | string, RegExp][] = [
      [
        "a header that is not JSON",
        `bk_app_code=${appCode}`,
        /reason="request header X-Bkapi-Authorization is not a valid JSON"/,
      ],
      ...wrongCredentials.map(([what, credentials, , message]): [string, Record<string, unknown>, RegExp] => [
        what,
        credentials,
        message,
      ]),
    ];
    for (const [what, authorization, message] of refusals) {
      it(`refuses ${what}: 400, code 1640001 in the body and X-Bkapi-Error-Code (bk-auth-validate.lua, errorx new_invalid_args)`, async () => {
        const result = await gateway(emulator, "revoke", { subscription_id: 42 }, { authorization });
        expect(result.status).to.equal(400);
        expect(result.json<Envelope>()).to.include({
          result: false,
          code: 1640001,
          code_name: "INVALID_ARGS",
          data: null,
        });
        expect(result.json<Envelope>().message)
          .to.match(/^Parameters error \[reason=/)
          .and.match(message);
        expect(result.headers["x-bkapi-error-code"]).to.equal("1640001");
        expect(result.headers["x-bkapi-error-message"]).to.match(message);
        expect(result.headers["x-bkapi-request-id"]).to.match(UUID);
        expectNoSecret(result);
        expect(emulator.effectiveCount()).to.equal(0);
      });
    }

    it("an app without permission to the resource: 403, code 1640301 (bk-permission.lua)", async () => {
      await emulator.close();
      await start({ apps: [{ appCode, appSecret: secrets.appSecret, permitted: false }] });
      const result = await gateway(emulator, "revoke", { subscription_id: 42 });
      expect(result.status).to.equal(403);
      expect(result.json<Envelope>()).to.include({ code: 1640301 });
      expect(result.json<Envelope>().message).to.equal(
        `App has no permission to the resource [reason="no permission, bk_app_code=${appCode}"]`,
      );
    });

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
        "/api/bk-nodeman/prod/other/backend/api/subscription/revoke/",
      ]) {
        const result = await rawRequest(emulator, { method: "POST", target, body: "{}" });
        expect(result.status, target).to.equal(404);
        expect(result.headers["x-bkapi-error-code"], target).to.equal("1640401");
      }
    });

    it("publishes the subscription API under system/ too (bk-monitor api/node_man/default.py)", async () => {
      const result = await gateway(emulator, "revoke", { subscription_id: 42 }, { prefix: "system/" });
      expect(result.json<Envelope>().result).to.equal(true);
      expect(emulator.requests()[0]).to.include({ route: "nodeman.revoke", transport: "apigw" });
    });
  });

  describe("a multi-tenant gateway (bk-tenant-validate.lua)", () => {
    const tenant = { "X-Bk-Tenant-Id": "default" };

    it("publishes only the system/ resources", async () => {
      await start({ multiTenant: true });
      const plain = await gateway(emulator, "revoke", { subscription_id: 42 }, { headers: tenant });
      expect(plain.status).to.equal(404);
      expect(plain.json<Envelope>().message).to.include("system/backend/api/subscription/");
      const system = await gateway(
        emulator,
        "revoke",
        { subscription_id: 42 },
        { prefix: "system/", headers: tenant },
      );
      expect(system.json<Envelope>().result).to.equal(true);
      expect(emulator.requests({ route: "nodeman.revoke" })[0].headers["x-bk-tenant-id"]).to.equal("default");
    });

    it("a global app must send X-Bk-Tenant-Id: 403, code 1640302 [AH1]", async () => {
      await start({ multiTenant: true });
      const result = await gateway(emulator, "revoke", { subscription_id: 42 }, { prefix: "system/" });
      expect(result.status).to.equal(403);
      expect(result.json<Envelope>()).to.include({ result: false, code: 1640302 });
      expect(result.json<Envelope>().message).to.match(
        /^Cross tenant forbidden \[reason="Cross-tenant calls are not allowed: header X-Bk-Tenant-Id is required.*\[AH1\]"\]$/,
      );
      expect(emulator.effectiveCount()).to.equal(0);
    });

    it("a tenant's app calls its own tenant (filled in when the header is absent) [AH2], with its own users [AU]", async () => {
      await start({
        multiTenant: true,
        apps: [{ appCode, appSecret: secrets.appSecret, tenantId: "acme" }],
        users: [
          { username, bkToken: secrets.bkToken, tenantId: "acme" },
          { username: "eve", bkToken: "eve-token" },
        ],
      });
      const own = (headers: Record<string, string>) =>
        gateway(emulator, "check_task_ready", { subscription_id: 42 }, { prefix: "system/", headers });
      expect((await own({})).json<Envelope>().result).to.equal(true);
      expect((await own({ "X-Bk-Tenant-Id": "acme" })).json<Envelope>().result).to.equal(true);
      const other = await own({ "X-Bk-Tenant-Id": "default" });
      expect(other.status).to.equal(403);
      expect(other.json<Envelope>().message).to.match(/\[AH2\]/);
      const eve = await gateway(
        emulator,
        "check_task_ready",
        { subscription_id: 42 },
        { prefix: "system/", authorization: { ...goodCredentials, bk_token: "eve-token" } },
      );
      expect(eve.json<Envelope>()).to.include({ code: 1640302 });
      expect(eve.json<Envelope>().message).to.match(/user eve belongs to tenant default\. \[AU\]/);
    });
  });

  describe("bk-status-rewrite: the gateway's own errors as HTTP 200 (errorx.lua exit_plugin)", () => {
    beforeEach(() => start({ statusRewrite200: true }));

    it("a refusal keeps its code in the body and in X-Bkapi-Error-Code", async () => {
      const result = await gateway(
        emulator,
        "revoke",
        { subscription_id: 42 },
        {
          authorization: { ...goodCredentials, bk_app_secret: "wrong" },
        },
      );
      expect(result.status).to.equal(200);
      expect(result.json<Envelope>()).to.include({ result: false, code: 1640001 });
      expect(result.headers["x-bkapi-error-code"]).to.equal("1640001");
    });

    it("throttling too: 200 with 1642902", async () => {
      emulator.injectFault({ route: "nodeman.revoke", fault: { kind: "status", status: 429 } });
      const result = await gateway(emulator, "revoke", { subscription_id: 42 });
      expect(result.status).to.equal(200);
      expect(result.json<Envelope>()).to.include({ result: false, code: 1642902 });
      expect(result.headers["x-bkapi-error-code"]).to.equal("1642902");
    });

    it("but not a path no route matches: still 404", async () => {
      const result = await rawRequest(emulator, {
        method: "POST",
        target: "/api/bk-nodeman/prod/backend/api/subscription/delete/",
        body: "{}",
      });
      expect(result.status).to.equal(404);
    });
  });

  describe("throttling and NodeMan's own failures, by way in", () => {
    beforeEach(() => start());

    it("throttling: the gateway 429 with 1642902 (bk-stage-rate-limit.lua), the ESB 200 with 1306429 (esb ratelimit/validators.py)", async () => {
      emulator.injectFault({ route: "nodeman.revoke", times: 2, fault: { kind: "status", status: 429 } });
      const viaGateway = await gateway(emulator, "revoke", { subscription_id: 42 });
      expect(viaGateway.status).to.equal(429);
      expect(viaGateway.json<Envelope>()).to.include({ code: 1642902 });
      expect(viaGateway.json<Envelope>().message).to.equal("API rate limit exceeded by stage strategy");
      const viaEsb = await esb(emulator, "revoke", { subscription_id: 42 });
      expect(viaEsb.status).to.equal(200);
      expect(viaEsb.json<Envelope>()).to.include({ result: false, code: 1306429 });
      expect(emulator.effectiveCount()).to.equal(0);
    });

    it("NodeMan failing: HTTP 500 with code 50000 through the gateway (BN apps/middlewares.py); 200 with 1306201 through the ESB (esb outgoing.py)", async () => {
      emulator.injectFault({ route: "nodeman.revoke", times: 2, fault: { kind: "status", status: 500 } });
      const viaGateway = await gateway(emulator, "revoke", { subscription_id: 42 });
      expect(viaGateway.status).to.equal(500);
      expect(viaGateway.json()).to.deep.equal({
        code: 50000,
        message: "系统异常,请联系管理员处理",
        data: "",
        result: false,
      });
      expect(viaGateway.headers).not.to.have.property("x-bkapi-error-code");
      const viaEsb = await esb(emulator, "revoke", { subscription_id: 42 });
      expect(viaEsb.status).to.equal(200);
      expect(viaEsb.json<Envelope>()).to.include({ result: false, code: 1306201 });
      expect(emulator.effectiveCount()).to.equal(0);
    });
  });
});
