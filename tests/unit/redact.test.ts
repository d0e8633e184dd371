/**
 * The HTTP client masks the credentials a request carried in everything that comes back: a body
 * (JSON or not), the headers, a network error and its cause. An in-process server on 127.0.0.1:0
 * echoes what it was sent, in the forms a real one might.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { createHttpClient, type HttpRequest } from "../../provider/http/client";
import { mask, redactDeep, redactor, requestSecrets } from "../../provider/http/redact";
import type { HttpSettings } from "../../provider/http/settings";
import { caught } from "../helpers/fixtures";

const settings: HttpSettings = {
  requestTimeoutMs: 30_000,
  maxAttempts: 1,
  maxRetryMs: 60_000,
  maxConcurrency: 8,
  insecureSkipTlsVerify: false,
};
const quiet = { info: () => {}, warn: () => {} };

const headerToken = "TOKEN-IN-A-HEADER-0001";
const bodySecret = 'SECRET "IN" /A BODY&0002';
const gatewaySecret = "SECRET-IN-A-JSON-HEADER-0003";
const configured = "CONFIGURED-BUT-NOT-SENT-0004";
const all = [headerToken, bodySecret, gatewaySecret, configured];

const request: HttpRequest = {
  service: "Test",
  operation: "echo",
  method: "POST",
  url: "",
  headers: {
    "X-Auth-Token": headerToken,
    "X-Bkapi-Authorization": JSON.stringify({ bk_app_code: "app", bk_app_secret: gatewaySecret }),
  },
  body: JSON.stringify({ subscription_id: 42, auth: { bk_app_secret: bodySecret }, bk_app_code: "app" }),
  secrets: [configured, undefined],
};

describe("HTTP client: credentials echoed back are masked", () => {
  let server: Server;
  let url: string;
  let answer: (received: string) => { body: string; headers?: Record<string, string> };
  before(async () => {
    server = createServer((req, res) => {
      let received = "";
      req.on("data", (chunk) => (received += chunk));
      req.on("end", () => {
        const { body, headers } = answer(received);
        res.writeHead(403, { "Content-Type": "text/plain", ...headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const leaks = (value: unknown) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return all.flatMap((secret) =>
      [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)].filter((form) =>
        text.includes(form),
      ),
    );
  };

  it("a raw page repeating the body, JSON-escaped, and the secrets URL-encoded", async () => {
    answer = (received) => ({
      body:
        `blocked: ${received} / ${JSON.stringify(received)} / ` +
        all.map((s) => `q=${encodeURIComponent(s)}`).join("&"),
    });
    const client = createHttpClient(settings, { reporter: quiet });
    const response = await client.send({ ...request, url });
    expect(response.status).to.equal(403);
    expect(leaks(response.data)).to.deep.equal([]);
    expect(String(response.data)).to.include("subscription_id").and.include(mask);
  });

  it("a JSON answer: every string masked, its structure and other values kept", async () => {
    answer = () => ({
      body: JSON.stringify({
        code: 1640001,
        message: `token ${headerToken} refused`,
        data: [{ [configured]: gatewaySecret, state: "RUNNING" }],
      }),
    });
    const client = createHttpClient(settings, { reporter: quiet });
    const { data } = await client.send({ ...request, url });
    expect(data).to.deep.equal({
      code: 1640001,
      message: `token ${mask} refused`,
      data: [{ [mask]: mask, state: "RUNNING" }],
    });
  });

  it("the answer's headers (X-Bkapi-Error-Message, the request id)", async () => {
    answer = () => ({
      body: "",
      headers: { "X-Bkapi-Error-Message": `bad token ${headerToken}`, "X-Request-Id": configured },
    });
    const client = createHttpClient(settings, { reporter: quiet });
    const response = await client.send({ ...request, url });
    expect(leaks(response.headers)).to.deep.equal([]);
    expect(response.headers["x-bkapi-error-message"]).to.equal(`bad token ${mask}`);
    expect(response.requestId).to.equal(mask);
  });

  it("a network error's cause does not hold the request (axios's config carries its headers and body)", async () => {
    const client = createHttpClient(settings, { reporter: quiet });
    const error = await caught(client.send({ ...request, url: url.replace(/:\d+\//, ":1/") }));
    expect(leaks(inspect(error, { depth: 10 }))).to.deep.equal([]);
    expect((error.cause as { code?: string }).code).to.equal("ECONNREFUSED");
  });
});

describe("redact", () => {
  it("collects secret-named headers, the secret-named fields of JSON header values and bodies, and the given values", () => {
    const found = requestSecrets(
      ["given-secret"],
      {
        Authorization: "SDK-HMAC-SHA256 Access=AK, Signature=abc",
        "X-Project-Id": "project-1",
        "X-Bkapi-Authorization": '{"bk_app_code":"app","bk_token":"tok-123456"}',
      },
      '{"a":{"access_token":"acc-123456","list":[{"password":"pw-123456"}]},"bk_username":"admin"}',
    );
    expect(found).to.have.members([
      "given-secret",
      "SDK-HMAC-SHA256 Access=AK, Signature=abc",
      '{"bk_app_code":"app","bk_token":"tok-123456"}',
      "tok-123456",
      "acc-123456",
      "pw-123456",
    ]);
  });

  it("masks the start of a secret that ends a text cut short, not a start too short to be one", () => {
    const redact = redactor(["SECRET-0123456789"]);
    expect(redact('{"bk_token":"SECRET-0123')).to.equal(`{"bk_token":"${mask}`);
    expect(redact("ends with SECRE")).to.equal("ends with SECRE");
  });

  it("masks a secret containing another whole, and leaves values too short to be credentials", () => {
    const redact = redactor(["abcdef", "abcdefghij", "abc"]);
    expect(redact("x abcdefghij y abcdef z abc")).to.equal(`x ${mask} y ${mask} z abc`);
    expect(redactDeep({ n: 1, s: ["abcdef"] }, redact)).to.deep.equal({ n: 1, s: [mask] });
  });
});
