/**
 * The emulator's own SDK-HMAC-SHA256 verifier against Huawei Cloud's published vectors: a request
 * carrying a published signature is accepted at the published date, and one changed byte is not.
 * The vectors come from the documentation, so this holds the emulator to the real algorithm
 * independently of the provider's signer.
 */
import { expect } from "chai";
import { expectedSignature, huaweiAuthFailure } from "../../emulator/huaweiAuth";
import type { ReceivedRequest } from "../../emulator/http";
import { publishedVectors, type SigningVector } from "../fixtures/sdkSigningVectors";

/** The vector as the emulator receives it, with the Authorization header a client would send. */
function received(vector: SigningVector): ReceivedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(vector.request.headers)) headers[name.toLowerCase()] = value;
  const signedHeaders = Object.keys(headers).sort().join(";");
  headers.authorization = `SDK-HMAC-SHA256 Access=${vector.accessKey}, SignedHeaders=${signedHeaders}, Signature=${vector.signature}`;
  return {
    method: vector.request.method,
    rawPath: vector.request.path,
    rawQuery: vector.request.query,
    headers,
    body: Buffer.from(vector.request.body),
  };
}

function credentialsOf(vector: SigningVector) {
  return {
    akSk: [{ accessKey: vector.accessKey, secretKey: vector.secretKey }],
    tokens: new Set<string>(),
    expiredTokens: new Set<string>(),
  };
}

/** The vector's X-Sdk-Date as a clock reading. */
function signedAt(vector: SigningVector): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(received(vector).headers["x-sdk-date"]);
  if (m === null) throw new Error(`vector ${vector.name} has no X-Sdk-Date`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

describe("emulator: SDK-HMAC-SHA256 verifier against the published vectors", () => {
  for (const vector of publishedVectors) {
    it(`computes the published signature: ${vector.name}`, () => {
      const request = received(vector);
      const { authorization: _authorization, ...signed } = request.headers;
      expect(expectedSignature(request, signed, vector.secretKey)).to.equal(vector.signature);
    });
  }

  // The gateway accepts a signature with or without host (Huawei's Go SDK never signs it:
  // huaweicloud-sdk-go-v3 core/auth/signer/signer.go extractSignedHeaders): every vector passes.
  for (const each of publishedVectors) {
    it(`accepts the published request at its X-Sdk-Date: ${each.name}`, () => {
      expect(huaweiAuthFailure(received(each), credentialsOf(each), signedAt(each))).to.equal(undefined);
    });
  }

  const vector = publishedVectors.find((v) => "host" in v.request.headers) as SigningVector;

  it("accepts the published request with the emulator's clock at its X-Sdk-Date", () => {
    expect(huaweiAuthFailure(received(vector), credentialsOf(vector), signedAt(vector))).to.equal(undefined);
  });

  it("refuses the published request once the clock is 16 minutes past its X-Sdk-Date", () => {
    const later = new Date(signedAt(vector).getTime() + 16 * 60_000);
    expect(huaweiAuthFailure(received(vector), credentialsOf(vector), later)?.message).to.match(
      /more than 15 minutes off/,
    );
  });

  it("refuses an X-Sdk-Date that is no real date, rather than rolling it over", () => {
    const request = received(vector);
    const headers = { ...request.headers, "x-sdk-date": "20191131T033655Z" };
    const failure = huaweiAuthFailure({ ...request, headers }, credentialsOf(vector), signedAt(vector));
    expect(failure?.message).to.match(/X-Sdk-Date must read YYYYMMDDTHHMMSSZ/);
  });

  const oneByte: [string, (request: ReceivedRequest) => ReceivedRequest][] = [
    ["the path", (r) => ({ ...r, rawPath: r.rawPath.replace("vpcs", "vpcS") })],
    ["the query", (r) => ({ ...r, rawQuery: r.rawQuery.replace("limit=2", "limit=3") })],
    ["a signed header", (r) => ({ ...r, headers: { ...r.headers, "content-type": "application/jsoN" } })],
    ["the body", (r) => ({ ...r, body: Buffer.from(" ") })],
    ["the method", (r) => ({ ...r, method: "PUT" })],
    [
      "the signature",
      (r) => ({ ...r, headers: { ...r.headers, authorization: r.headers.authorization.replace(/e$/, "f") } }),
    ],
  ];
  for (const [what, change] of oneByte) {
    it(`refuses the published request with one byte of ${what} changed`, () => {
      const failure = huaweiAuthFailure(change(received(vector)), credentialsOf(vector), signedAt(vector));
      expect(failure).to.deep.equal({
        code: "APIGW.0301",
        message: "Incorrect IAM authentication information: the signature does not match",
      });
    });
  }
});
