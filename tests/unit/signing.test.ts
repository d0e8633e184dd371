import { expect } from "chai";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  formatSdkDate,
  sha256Hex,
  signRequest,
  type RequestToSign,
} from "../../provider/signing/sdkHmacSha256";
import { parseAuthorizationHeader, parseSdkDate } from "../../emulator/huaweiAuth";
import { publishedVectors } from "../fixtures/sdkSigningVectors";

describe("SDK-HMAC-SHA256 signer", () => {
  for (const vector of publishedVectors) {
    it(`reproduces the published vector: ${vector.name}`, () => {
      if (vector.canonicalSha256)
        expect(sha256Hex(canonicalRequest(vector.request))).to.equal(vector.canonicalSha256);
      expect(computeSignature(vector.request, vector.secretKey)).to.equal(vector.signature);
    });
  }

  const uriCases: [string, string][] = [
    ["/path", "/path/"],
    ["/v2/p/clusters/c/job-executions/j/kill", "/v2/p/clusters/c/job-executions/j/kill/"],
    ["/a%20b/c", "/a%20b/c/"],
    ["/a%2Fb", "/a%2Fb/"],
    ["/", "/"],
  ];
  for (const [input, expected] of uriCases) {
    it(`canonical URI of ${input} is ${expected}`, () => expect(canonicalUri(input)).to.equal(expected));
  }

  const queryCases: [string, string][] = [
    ["", ""],
    ["b=2&a=1", "a=1&b=2"],
    ["a=2&a=1", "a=1&a=2"],
    ["name=a%20b&x=%2A", "name=a%20b&x=%2A"],
    ["name=a+b", "name=a%20b"],
    ["flag", "flag="],
  ];
  for (const [input, expected] of queryCases) {
    it(`canonical query of "${input}" is "${expected}"`, () =>
      expect(canonicalQuery(input)).to.equal(expected));
  }

  it("formats and parses X-Sdk-Date", () => {
    const date = new Date(Date.UTC(2019, 10, 15, 3, 36, 55));
    expect(formatSdkDate(date)).to.equal("20191115T033655Z");
    expect(parseSdkDate("20191115T033655Z")?.getTime()).to.equal(date.getTime());
    expect(parseSdkDate("2019-11-15T03:36:55Z")).to.equal(undefined);
  });

  it("signs a copy of the headers and leaves the request untouched", () => {
    const request: RequestToSign = {
      method: "POST",
      path: "/v2/p/kill",
      query: "",
      headers: { Host: "h" },
      body: "",
    };
    const headers = signRequest(
      request,
      { accessKey: "AK", secretKey: "SK", securityToken: "T" },
      new Date(Date.UTC(2006, 0, 2, 15, 4, 5)),
    );
    expect(request.headers).to.deep.equal({ Host: "h" });
    expect(headers["X-Sdk-Date"]).to.equal("20060102T150405Z");
    expect(headers["X-Security-Token"]).to.equal("T");
    const parsed = parseAuthorizationHeader(headers.Authorization);
    expect(parsed?.accessKey).to.equal("AK");
    expect(parsed?.signedHeaders).to.deep.equal(["host", "x-sdk-date", "x-security-token"]);
    const { Authorization: _authorization, ...signed } = headers;
    expect(parsed?.signature).to.equal(computeSignature({ ...request, headers: signed }, "SK"));
  });
});
