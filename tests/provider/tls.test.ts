/**
 * TLS: verified by default, a private CA accepted through termination:caBundle, and verification
 * off only on an explicit, loudly warned setting. The server presents a self-signed certificate
 * made for these tests (tests/fixtures/tls, test only) and proxies to the emulator.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { baseSeed, caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";

const fixtures = path.join(__dirname, "..", "fixtures", "tls");
const certificate = readFileSync(path.join(fixtures, "cert.pem"), "utf8");

describe("TLS settings", () => {
  let emulator: Emulator;
  let server: Server;
  let url: string;
  before(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    server = createServer(
      { cert: certificate, key: readFileSync(path.join(fixtures, "key.pem")) },
      async (req, res) => {
        // A TLS front for the emulator (IAM token mode: a proxy changes Host, which AK/SK signs).
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const answer = await fetch(emulator.url + req.url, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: req.method === "GET" ? undefined : Buffer.concat(chunks),
        });
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await emulator.close();
  });

  const inputs = { clusterId, jobExecutionId: "job-running", waitForTermination: false, preflight: false };

  it("refuses an unknown certificate by default, without retrying", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(url, "token"));
    const error = await caught(provider.create(inputs));
    expect(error.name).to.equal("NetworkError");
    expect(error.message)
      .to.match(/self.signed|certificate/i)
      .and.include("after 1 attempt");
    expect(emulator.requests({ route: "mrs.kill" })).to.have.length(0);
  });

  it("trusts a private CA given as termination:caBundle (a file path or the PEM itself)", async () => {
    for (const caBundle of [path.join(fixtures, "cert.pem"), certificate]) {
      const { provider, lines } = await testProvider(mrsTarget, {
        ...huaweiConfig(url, "token"),
        "termination:caBundle": caBundle,
      });
      expect((await provider.create(inputs)).outs.outcome).to.equal("requested");
      expect(lines.some((l) => l.startsWith("warning:"))).to.equal(false);
      emulator.seed(baseSeed());
    }
  });

  it("skips verification only when told to, and warns loudly", async () => {
    const { provider, lines } = await testProvider(mrsTarget, {
      ...huaweiConfig(url, "token"),
      "termination:insecureSkipTlsVerify": "true",
    });
    expect((await provider.create(inputs)).outs.outcome).to.equal("requested");
    expect(lines[0]).to.match(/^warning: TLS certificate verification is OFF/);
  });

  it("names the setting when the CA bundle cannot be read", async () => {
    const { provider } = await testProvider(mrsTarget, {
      ...huaweiConfig(url, "token"),
      "termination:caBundle": "/no/such/ca.pem",
    });
    const error = await caught(provider.create(inputs));
    expect(error.message).to.include("termination:caBundle").and.include("/no/such/ca.pem");
  });
});
