/**
 * The HTTP client bound to a deadline (`withDeadline`): no attempt, retry delay, throttling pause
 * or queue for a connection slot runs past it. An in-process server on 127.0.0.1:0 answers as each
 * test says.
 */
import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isNetworkError } from "../../provider/errors";
import { createHttpClient } from "../../provider/http/client";
import type { HttpSettings } from "../../provider/http/settings";
import { caught } from "../helpers/fixtures";

const settings: HttpSettings = {
  requestTimeoutMs: 30_000,
  maxAttempts: 5,
  maxRetryMs: 86_400_000,
  maxConcurrency: 8,
  insecureSkipTlsVerify: false,
};
const quiet = { info: () => {}, warn: () => {} };

describe("HTTP client: deadlines that hold", () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  let requests = 0;
  before(async () => {
    server = createServer((req, res) => {
      requests++;
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  beforeEach(() => {
    requests = 0;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const hang = () => {};
  const request = { service: "MRS", operation: "read job j1", method: "GET" as const };

  it("a hung request is cut off at the deadline, not the 30 s request timeout", async () => {
    handler = hang;
    const client = createHttpClient(settings, { reporter: quiet });
    const started = Date.now();
    const error = await caught(client.withDeadline(started + 300).send({ ...request, url }));
    expect(Date.now() - started).to.be.below(2_000);
    expect(isNetworkError(error)).to.equal(true);
    expect(error.message).to.match(/after 1 attempt\(s\): timed out, cut off at the deadline/);
    expect(error.message).to.match(/deadline was reached; nothing more is sent/);
    expect(requests).to.equal(1);
  });

  it("an answer due exactly at the deadline: either it arrives or the attempt is cut off, never later", async () => {
    handler = (_req, res) => setTimeout(() => res.writeHead(200).end("{}"), 300);
    const client = createHttpClient(settings, { reporter: quiet });
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const result = await client
        .withDeadline(started + 300)
        .send({ ...request, url })
        .then(
          (response) => `answer ${response.status}`,
          (error: Error) => error.message,
        );
      expect(Date.now() - started, result).to.be.below(1_000);
      expect(result).to.match(/answer 200|cut off at the deadline/);
    }
  });

  it("a Retry-After far past the deadline is not slept: the 429 comes back at once", async () => {
    handler = (_req, res) => res.writeHead(429, { "Retry-After": "3600" }).end();
    const slept: number[] = [];
    const client = createHttpClient(settings, {
      reporter: quiet,
      sleep: async (ms) => void slept.push(ms),
    });
    const response = await client.withDeadline(Date.now() + 5_000).send({ ...request, url });
    expect(response.status).to.equal(429);
    expect(slept).to.deep.equal([]);
    expect(requests).to.equal(1);
  });

  it("retries stop before a delay would pass the deadline; the sleeps fit inside it", async () => {
    handler = (_req, res) => res.writeHead(503).end();
    let clock = 1_000_000;
    const slept: number[] = [];
    const client = createHttpClient(
      { ...settings, maxAttempts: 100 },
      {
        reporter: quiet,
        now: () => clock,
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
        random: () => 1,
      },
    );
    const response = await client.withDeadline(clock + 4_000).send({ ...request, url });
    expect(response.status).to.equal(503);
    // 0.5 + 1 + 2 = 3.5 s; the next (4 s) would end past the deadline.
    expect(slept).to.deep.equal([500, 1000, 2000]);
    expect(requests).to.equal(4);
  });

  it("a deadline already past sends nothing", async () => {
    handler = (_req, res) => res.writeHead(200).end("{}");
    const client = createHttpClient(settings, { reporter: quiet });
    const error = await caught(client.withDeadline(Date.now() - 1).send({ ...request, url }));
    expect(isNetworkError(error)).to.equal(true);
    expect(requests).to.equal(0);
  });

  it("the smaller of two deadlines holds", async () => {
    handler = hang;
    const client = createHttpClient(settings, { reporter: quiet });
    const started = Date.now();
    const bound = client.withDeadline(started + 300).withDeadline(started + 60_000);
    await caught(bound.send({ ...request, url }));
    expect(Date.now() - started).to.be.below(2_000);
  });

  it("waiting for a connection slot ends at the deadline", async () => {
    handler = hang;
    const client = createHttpClient({ ...settings, maxConcurrency: 1 }, { reporter: quiet });
    // An unbound request holds the only slot.
    const holder = client.withDeadline(Date.now() + 3_000).send({ ...request, url });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const error = await caught(client.withDeadline(started + 300).send({ ...request, url }));
    expect(Date.now() - started).to.be.below(2_000);
    expect(error.message).to.match(/no connection slot came free before the deadline/);
    expect(requests).to.equal(1);
    await caught(holder);
  });

  it("an endpoint paused by a 429 past the deadline is not waited for", async () => {
    let first = true;
    handler = (_req, res) => {
      if (first) res.writeHead(429, { "Retry-After": "30" }).end();
      else res.writeHead(200).end("{}");
      first = false;
    };
    const client = createHttpClient(settings, { reporter: quiet });
    // Retries after 30 s, pausing the whole endpoint meanwhile.
    const throttled = client.send({ ...request, url });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const error = await caught(client.withDeadline(started + 1_000).send({ ...request, url }));
    expect(Date.now() - started).to.be.below(500);
    expect(error.message).to.match(/throttled \(HTTP 429\) until after the deadline/);
    expect(requests).to.equal(1);
    void throttled.catch(() => {});
  });

  it("a NetworkError keeps the original error as its cause", async () => {
    const client = createHttpClient({ ...settings, maxAttempts: 1 }, { reporter: quiet });
    const closed = url.replace(/:\d+\//, ":1/");
    const error = await caught(client.send({ ...request, url: closed }));
    expect(isNetworkError(error)).to.equal(true);
    const cause = error.cause as { code?: string; message?: string } | undefined;
    expect(cause).to.be.instanceOf(Error);
    expect(cause?.code).to.equal("ECONNREFUSED");
  });
});
