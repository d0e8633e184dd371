import { expect } from "chai";
import { formatInstanceId, hostInstanceId, parseInstanceId } from "../../provider";

describe("NodeMan instance ids", () => {
  const valid: [string, object][] = [
    [
      "host|instance|host|1",
      { objectType: "host", nodeType: "instance", type: "host", host: { bkHostId: 1 } },
    ],
    ["host|instance|host|127.0.0.1-1-0", { host: { ip: "127.0.0.1", bkCloudId: 1, bkSupplierId: 0 } }],
    ["host|instance|host|10.0.0.255-0-0", { host: { ip: "10.0.0.255", bkCloudId: 0, bkSupplierId: 0 } }],
    ["host|instance|host|::1-0-0", { host: { ip: "::1", bkCloudId: 0, bkSupplierId: 0 } }],
    ["host|instance|host|fe80::1:2-3-0", { host: { ip: "fe80::1:2", bkCloudId: 3, bkSupplierId: 0 } }],
    ["host|topo|module|12", { nodeType: "topo", type: "module", id: "12" }],
    ["service|instance|service|7", { objectType: "service", type: "service", id: "7" }],
    ["host|service_template|biz|3", { nodeType: "service_template", type: "biz" }],
    ["host|set_template|set|4", { nodeType: "set_template", type: "set" }],
  ];
  for (const [text, expected] of valid) {
    it(`accepts ${text}`, () => {
      const result = parseInstanceId(text);
      expect(result.ok, JSON.stringify(result)).to.equal(true);
      if (result.ok) expect(result.value).to.deep.include(expected);
    });
  }

  const invalid: [string, RegExp][] = [
    ["", /four parts/],
    ["host|instance|host", /four parts/],
    ["host|instance|host|1|2", /four parts/],
    ["HOST|instance|host|1", /object_type "HOST"/],
    ["node|instance|host|1", /object_type/],
    ["host|static|host|1", /node_type "static"/],
    ["host|Instance|host|1", /node_type/],
    ["host|instance|Host|1", /type "Host"/],
    ["host|instance||1", /type ""/],
    ["host|instance|host|", /host id ""/],
    ["host|instance|host|01", /host id "01"/],
    ["host|instance|host|-1", /host id/],
    ["host|instance|host|1.5", /host id/],
    ["host|instance|host|256.0.0.1-0-0", /not an IPv4 or IPv6/],
    ["host|instance|host|127.0.0.1-0", /host id/],
    ["host|instance|host|127.0.0.1-a-0", /bk_cloud_id "a"/],
    ["host|instance|host|127.0.0.1-0-x", /bk_supplier_id "x"/],
    ["host|instance|host|FE80::1-0-0", /lower case/],
    ["host|instance|host|../1", /host id/],
    ["host|instance|host|1 ", /host id/],
    ["host|topo|module|abc", /must be digits/],
    ["host|topo|module|1/2", /must be digits/],
  ];
  for (const [text, reason] of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const result = parseInstanceId(text);
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.reason).to.match(reason);
    });
  }

  it("builds host ids from a bk_host_id or an address", () => {
    expect(hostInstanceId({ bkHostId: 42 })).to.equal("host|instance|host|42");
    expect(hostInstanceId({ ip: "127.0.0.1", bkCloudId: 1 })).to.equal("host|instance|host|127.0.0.1-1-0");
    expect(hostInstanceId({ ip: "::1", bkCloudId: 0, bkSupplierId: 0 })).to.equal(
      "host|instance|host|::1-0-0",
    );
  });

  it("refuses to format an id it could not parse back", () => {
    expect(() =>
      formatInstanceId({ objectType: "host", nodeType: "instance", type: "host", id: "x" }),
    ).to.throw(/invalid NodeMan instance id/);
  });

  it("shows the whole id a bare address or host id stands for, and the helper that makes one (issue 17.5)", () => {
    const reason = (text: string) => {
      const result = parseInstanceId(text);
      return result.ok ? "" : result.reason;
    };
    expect(reason("10.0.0.5")).to.equal(
      '"10.0.0.5" must have four parts {object_type}|{node_type}|{type}|{id}, e.g. "host|instance|host|10.0.0.5-0-0" (or make the id with hostInstanceId({ ip, bkCloudId }))',
    );
    expect(reason("7")).to.include('e.g. "host|instance|host|7"');
    expect(reason("host|instance|host|10.0.0.5")).to.equal(
      'host id "10.0.0.5" must be a bk_host_id (digits) or {ip}-{bk_cloud_id}-{bk_supplier_id}, e.g. "10.0.0.5-0-0" (or make the id with hostInstanceId({ ip, bkCloudId }))',
    );
    expect(hostInstanceId({ ip: "10.0.0.5", bkCloudId: 0 })).to.equal("host|instance|host|10.0.0.5-0-0");
  });
});
