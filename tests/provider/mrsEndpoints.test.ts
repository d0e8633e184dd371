/**
 * The MRS endpoint from a region, as Huawei's region table has it (huaweicloud-sdk-go-v3
 * services/mrs/v2/region/region.go; the Node and Python SDKs' tables agree): `.cn` for
 * ap-southeast-1, ap-southeast-4 and ru-northwest-2, `.eu` for eu-west-101, `.com` otherwise. An
 * explicit cloud domain or endpoint wins; and each preview line names the host it read.
 */
import { expect } from "chai";
import type { Emulator } from "../../emulator";
import { regionClouds, resolveMrsSettings } from "../../provider/targets/mrs/settings";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { clusterId, emulatorPerTest, huaweiConfig, projectId, testProvider } from "../helpers/fixtures";

const context = (config: Record<string, string>, env: Record<string, string> = {}) => ({
  config: { get: (key: string) => config[key] },
  env,
});
const token = { "huaweicloud:authToken": "t", "huaweicloud:projectId": projectId };
const endpointOf = (config: Record<string, string>, env: Record<string, string> = {}, args = {}) =>
  resolveMrsSettings({ ...args }, context({ ...token, ...config }, env)).endpoint.toString();

describe("MRS endpoints from Huawei's region table", () => {
  // Each region of the SDKs' table beside its neighbours: the exceptions and the regions next to them.
  const table: [string, string][] = [
    ["ap-southeast-1", "https://mrs.ap-southeast-1.myhuaweicloud.cn/"],
    ["ap-southeast-2", "https://mrs.ap-southeast-2.myhuaweicloud.com/"],
    ["ap-southeast-3", "https://mrs.ap-southeast-3.myhuaweicloud.com/"],
    ["ap-southeast-4", "https://mrs.ap-southeast-4.myhuaweicloud.cn/"],
    ["ap-southeast-5", "https://mrs.ap-southeast-5.myhuaweicloud.com/"],
    ["ru-northwest-2", "https://mrs.ru-northwest-2.myhuaweicloud.cn/"],
    ["ru-moscow-1", "https://mrs.ru-moscow-1.myhuaweicloud.com/"],
    ["eu-west-101", "https://mrs.eu-west-101.myhuaweicloud.eu/"],
    ["eu-west-0", "https://mrs.eu-west-0.myhuaweicloud.com/"],
    ["eu-west-10", "https://mrs.eu-west-10.myhuaweicloud.com/"],
    ["eu-west-1010", "https://mrs.eu-west-1010.myhuaweicloud.com/"],
    ["cn-north-4", "https://mrs.cn-north-4.myhuaweicloud.com/"],
    ["af-north-1", "https://mrs.af-north-1.myhuaweicloud.com/"],
    // Not in the table (a region newer than the SDKs, or a typo): the default domain.
    ["xx-nowhere-9", "https://mrs.xx-nowhere-9.myhuaweicloud.com/"],
  ];
  for (const [region, url] of table) {
    it(`${region} → ${url}`, () => {
      expect(endpointOf({ "huaweicloud:region": region })).to.equal(url);
      expect(endpointOf({}, { HW_REGION_NAME: region })).to.equal(url);
      expect(endpointOf({}, {}, { region })).to.equal(url);
    });
  }

  it("the table names exactly the SDKs' four exceptions", () => {
    expect(regionClouds).to.deep.equal({
      "ap-southeast-1": "myhuaweicloud.cn",
      "ap-southeast-4": "myhuaweicloud.cn",
      "ru-northwest-2": "myhuaweicloud.cn",
      "eu-west-101": "myhuaweicloud.eu",
    });
  });

  it("a cloud set beside the region wins over the region's own domain, from any one source", () => {
    const cloud = "myhuaweicloud.com";
    expect(endpointOf({ "huaweicloud:region": "ap-southeast-1", "huaweicloud:cloud": cloud })).to.equal(
      "https://mrs.ap-southeast-1.myhuaweicloud.com/",
    );
    expect(endpointOf({}, { HW_REGION_NAME: "eu-west-101", HW_CLOUD: "example.com" })).to.equal(
      "https://mrs.eu-west-101.example.com/",
    );
  });

  it("where the API is comes whole from one source: a lower source's cloud does not mix in", () => {
    // The region in stack config decides; the environment's cloud is not read.
    expect(
      endpointOf({ "huaweicloud:region": "ap-southeast-4" }, { HW_CLOUD: "myhuaweicloud.com" }),
    ).to.equal("https://mrs.ap-southeast-4.myhuaweicloud.cn/");
    // The resource's region decides; stack config's cloud is not read.
    expect(
      endpointOf({ "huaweicloud:cloud": "myhuaweicloud.com" }, {}, { region: "ru-northwest-2" }),
    ).to.equal("https://mrs.ru-northwest-2.myhuaweicloud.cn/");
  });

  it("an explicit endpoint wins over any region and cloud", () => {
    const endpoint = "https://mrs.internal.example:8443";
    expect(
      endpointOf({
        "huaweicloud:region": "ap-southeast-1",
        "huaweicloud:cloud": "myhuaweicloud.eu",
        "huaweicloud:mrsEndpoint": endpoint,
      }),
    ).to.equal(`${endpoint}/`);
    expect(endpointOf({}, {}, { region: "eu-west-101", endpoint })).to.equal(`${endpoint}/`);
  });

  describe("the preview names the host it read", () => {
    let emulator: Emulator;
    emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

    it("a job's line, a selector's lines and a selector matching nothing each name 'at <host>'", async () => {
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const host = new URL(emulator.url).host;
      await provider.check({}, { clusterId, jobExecutionId: "job-running" });
      await provider.check({}, { clusterId, jobSelector: { jobName: "nightly-etl" } });
      await provider.check({}, { clusterId, jobSelector: { jobName: "nobody" } });
      expect(lines).to.have.length(3);
      expect(lines[0]).to.match(new RegExp(` at ${host.replace(/\./g, "\\.")}: will be killed$`));
      const [header, job] = lines[1].split("\n");
      expect(header).to.equal(
        `MRS jobs matching {"jobName":"nightly-etl"} in cluster ${clusterId} at ${host}: 1 job(s) match now`,
      );
      expect(job).to.include(` at ${host}: will be killed`);
      expect(lines[2]).to.equal(
        `MRS jobs matching {"jobName":"nobody"} in cluster ${clusterId} at ${host}: 0 job(s) match now`,
      );
    });
  });
});
