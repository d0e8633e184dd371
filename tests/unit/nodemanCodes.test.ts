/**
 * NodeMan's codes table (provider/targets/nodeman/codes.ts): one predicate for the platform's codes,
 * what each answer is whatever its HTTP status, and advice where the user can act.
 */
import { expect } from "chai";
import { ApiError } from "../../provider/errors";
import {
  classifyAnswer,
  hintFor,
  isCredentialsRefused,
  isNodemanCode,
  isPlatformCode,
} from "../../provider/targets/nodeman/codes";

describe("NodeMan codes", () => {
  it("one predicate recognises the gateway's and the ESB's codes, and nothing else", () => {
    const platform = ["1640001", "1640100", "1640401", "1642902", "1650401", "1306000", "1306429", 1306201];
    const other = ["3800016", "50000", "0", "164000", "16400011", "1306", "APIGW.0301", "", undefined];
    expect(platform.filter(isPlatformCode)).to.deep.equal(platform);
    expect(other.filter(isPlatformCode)).to.deep.equal([]);
    expect(["3800001", 3800016].every(isNodemanCode)).to.equal(true);
  });

  const answer = (status: number, code?: string | number, header?: string) => ({
    status,
    data: code === undefined ? "<html>" : { result: false, code },
    headers: (header === undefined ? {} : { "x-bkapi-error-code": header }) as Record<string, string>,
  });
  // [what, answer, kind (undefined: the HTTP status decides)]
  const table: [string, ReturnType<typeof answer>, string | undefined][] = [
    ["gateway throttling as 429", answer(429, 1642902), "throttled"],
    ["gateway throttling rewritten to 200", answer(200, 1642903), "throttled"],
    [
      "a concurrency limit rewritten to 200, code only in the header",
      answer(200, undefined, "1642904"),
      "throttled",
    ],
    ["the deprecated stage-global limit", answer(429, 1642901), "throttled"],
    ["ESB throttling, always 200", answer(200, 1306429), "throttled"],
    ["ESB: NodeMan unreachable behind it", answer(200, 1306201), "fault"],
    ["gateway: backend timeout rewritten to 200", answer(200, 1650401), "fault"],
    ["gateway: bad gateway", answer(502, 1650200), "fault"],
    ["gateway: its resource misconfigured, a 500 not to retry", answer(500, 1650002), "final"],
    ["gateway: an unlisted 165 code goes by status", answer(503, 1659999), undefined],
    ["gateway: refused credentials", answer(400, 1640001), "final"],
    ["gateway: an unlisted 164 code is a refusal", answer(400, 1640999), "final"],
    ["ESB: refused credentials", answer(200, 1306000), "final"],
    ["NodeMan's own answer on a 500", answer(500, 3800500), "final"],
    ["NodeMan's middleware 500 (50000) goes by status", answer(500, 50000), undefined],
    ["a proxy's page", answer(502), undefined],
    ["a success", answer(200, 0), undefined],
  ];
  for (const [what, given, kind] of table) {
    it(`${what}: ${kind ?? "by its HTTP status"}`, () => {
      expect(classifyAnswer(given)?.kind).to.equal(kind);
    });
  }

  it("has advice for every code the user can act on", () => {
    for (const code of [
      "1640001",
      "1640100",
      "1640101",
      "1640102",
      "1640301",
      "1640302",
      "1640401",
      "1641301",
      "1642902",
      "1306000",
      "1306401",
      "1306403",
      "1306404",
      "1306429",
      "3800003",
      "3800014",
    ])
      expect(hintFor(code), code).to.be.a("string").and.not.equal("");
    expect(hintFor("1640401")).to.include("blueking:apigwPathPrefix");
    expect(hintFor("1640302")).to.include("blueking:tenantId");
    expect(hintFor("constructor")).to.equal(undefined);
  });

  it("isCredentialsRefused: the gateway's auth codes, the ESB's 1306000 only when its text names credentials", () => {
    const error = (code: string, serviceMessage = "", service = "NodeMan") =>
      new ApiError({
        service,
        operation: "x",
        method: "POST",
        url: "u",
        httpStatus: 400,
        code,
        serviceMessage,
      });
    expect(
      [
        error("1640001"),
        error("1640100"),
        error("1640101"),
        error("1640102"),
        error("1306000", "APP Secret verification failed, please confirm"),
        error("1306000", "User authentication failed, please check if the bk_token is valid"),
      ].map(isCredentialsRefused),
    ).to.deep.equal([true, true, true, true, true, true]);
    expect(
      [
        error("1306000", "Component error, please contact the component developer"),
        error("1640401"),
        error("3800001"),
        error("1640001", "", "MRS"),
        new Error("1640001"),
      ].map(isCredentialsRefused),
    ).to.deep.equal([false, false, false, false, false]);
  });
});
