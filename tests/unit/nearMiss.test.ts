/**
 * Which stack config keys count as misspelled settings of ours (issue 17.1): a table of names,
 * with the other providers' real keys that must never be taken for one of ours.
 */
import { expect } from "chai";
import { editDistance, misspelledOf, nearestName } from "../../provider/core/nearMiss";
import { misspelledSettings, otherProvidersKeys, sharedNamespaces } from "../../provider/targets/configKeys";

describe("misspelled settings (core/nearMiss.ts)", () => {
  it("counts insertions, deletions, substitutions and swaps of neighbours as one edit each", () => {
    const table: [string, string, number][] = [
      ["mrsendpoint", "mrsendpoint", 0],
      ["mrsendpiont", "mrsendpoint", 1],
      ["mrsendpont", "mrsendpoint", 1],
      ["mrsendpoints", "mrsendpoint", 1],
      ["mrsendpoynt", "mrsendpoint", 1],
      ["region", "regional", 2],
      ["", "abc", 3],
    ];
    for (const [a, b, distance] of table) expect(editDistance(a, b), `${a} → ${b}`).to.equal(distance);
  });

  // [namespace, key, the setting of ours it misspells, or undefined when it is left alone]
  const cases: [string, string, string | undefined][] = [
    ["huaweicloud", "mrsEndPoint", "mrsEndpoint"],
    ["huaweicloud", "mrsendpoint", "mrsEndpoint"],
    ["huaweicloud", "mrs_endpoint", "mrsEndpoint"],
    ["huaweicloud", "mrsEndpiont", "mrsEndpoint"],
    ["huaweicloud", "mrsEndpoints", "mrsEndpoint"],
    ["huaweicloud", "projectID", "projectId"],
    ["huaweicloud", "regoin", "region"],
    ["huaweicloud", "Region", "region"],
    ["huaweicloud", "secretkey", "secretKey"],
    ["huaweicloud", "authtoken", "authToken"],
    ["huaweicloud", "mrsEndpoint", undefined],
    ["huaweicloud", "region", undefined],
    // The Huawei Cloud provider's own settings, camelCase and snake_case.
    ["huaweicloud", "regional", undefined],
    ["huaweicloud", "projectName", undefined],
    ["huaweicloud", "project_name", undefined],
    ["huaweicloud", "access_key", undefined],
    ["huaweicloud", "token", undefined],
    ["huaweicloud", "tenantId", undefined],
    ["huaweicloud", "domainId", undefined],
    ["huaweicloud", "endpoints", undefined],
    ["huaweicloud", "maxRetries", undefined],
    ["huaweicloud", "enterpriseProjectId", undefined],
    // Near misses of the Huawei Cloud provider's own settings, nearer to them than to ours: theirs to
    // refuse (the bridged provider does), not a typo of `region` failing every termination.
    ["huaweicloud", "Regional", undefined],
    ["huaweicloud", "REGIONAL", undefined],
    ["huaweicloud", "regionall", undefined],
    ["huaweicloud", "regioanl", undefined],
    // As near to ours as to theirs: ours, since a typo there would send the kill elsewhere.
    ["huaweicloud", "regiona", "region"],
    // Unrelated names stay unrelated.
    ["huaweicloud", "ecsEndpoint", undefined],
    ["huaweicloud", "clouds", "cloud"],
    ["huaweicloud", "crowd", undefined],
    ["blueking", "appcode", "appCode"],
    ["blueking", "bkAppCode", "appCode"],
    ["blueking", "apigwUrlTemplates", "apigwUrlTemplate"],
    ["blueking", "apiGwUrlTemplate", "apigwUrlTemplate"],
    ["blueking", "esbURL", "esbUrl"],
    ["blueking", "userName", "username"],
    ["blueking", "tenantID", "tenantId"],
    ["blueking", "jobUrl", undefined],
    ["yarn", "resourcemanagerurl", "resourceManagerUrl"],
    ["yarn", "resourceManagerURL", "resourceManagerUrl"],
    ["yarn", "usr", "user"],
    ["yarn", "users", "user"],
    ["yarn", "queue", undefined],
    ["yarn", "url", undefined],
  ];
  for (const [namespace, key, meant] of cases)
    it(`${namespace}:${key} ${meant ? `misspells ${namespace}:${meant}` : "is left alone"}`, () => {
      expect(misspelledOf(key, sharedNamespaces[namespace], otherProvidersKeys[namespace])).to.equal(meant);
    });

  it("never takes a real Huawei Cloud provider setting for a typo of ours", () => {
    for (const key of otherProvidersKeys.huaweicloud)
      expect(misspelledOf(key, sharedNamespaces.huaweicloud, otherProvidersKeys.huaweicloud), key).to.equal(
        undefined,
      );
  });

  it("names the nearest known key for an unknown key of a namespace that is ours alone", () => {
    const known = ["maxAttempts", "maxConcurrency", "caBundle"];
    expect(nearestName("maxAttempt", known)).to.equal("maxAttempts");
    expect(nearestName("cabundle", known)).to.equal("caBundle");
    expect(nearestName("somethingElse", known)).to.be.a("string");
  });

  it("fails every unknown `termination:` key and every near miss in a shared namespace, leaving the rest", () => {
    const keys = [
      "termination:maxAttempt",
      "termination:huaweicloud",
      "termination:maxAttempts",
      "termination:somethingElse",
      "huaweicloud:mrsEndPoint",
      "huaweicloud:regional",
      "aws:region",
      "myproject:greeting",
    ];
    const failures = misspelledSettings({ get: () => "x", keys: () => keys });
    expect(failures.map((f) => f.property)).to.deep.equal(["", "", ""]);
    expect(failures[0].reason).to.match(
      /^`termination:maxAttempt` \(stack config\) is not a setting of pulumi-termination: did you mean stack config `termination:maxAttempts`\?/,
    );
    expect(failures[1].reason).to.match(/^`termination:somethingElse` \(stack config\) is not a setting/);
    expect(failures[2].reason).to.match(
      /^`huaweicloud:mrsEndPoint` \(stack config\) is not a setting of pulumi-termination: did you mean stack config `huaweicloud:mrsEndpoint`\?/,
    );
  });

  it("checks nothing where the configuration cannot list its keys", () => {
    expect(misspelledSettings({ get: () => "x" })).to.deep.equal([]);
  });
});
