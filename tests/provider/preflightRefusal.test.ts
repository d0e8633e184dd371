/**
 * A preview whose read the API refuses for its credentials fails, with the advice, through both
 * doors and for every target: `up` would fail the same way, so a green preview would mislead. A
 * wrong secret, a refused signature or clock, an expired token, a refused user: the target's
 * `isCredentialsRefused` says which answers these are. An unreachable or failing service (network,
 * 5xx) stays a warning: the preview goes on. No preview sends a kill or revoke.
 */
import { expect } from "chai";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { startEmulator, type Emulator, type Fault, type RouteName } from "../../emulator";
import { isConfigurationError } from "../../provider/errors";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { yarnTarget } from "../../provider/targets/yarn/target";
import type { Target } from "../../provider/core/contract";
import { mrsRefusal } from "../../testing/faults";
import { configure, startPlugin, struct, urnOf } from "../plugin/harness";
import {
  baseSeed,
  bluekingConfig,
  caught,
  clusterId,
  findSecrets,
  huaweiConfig,
  secrets,
  testProvider,
} from "../helpers/fixtures";

const ts = 1_700_000_000_000;
const yarnApp = `application_${ts}_0001`;

interface Subject {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  target: Target<any, any>;
  inputs: Record<string, unknown>;
  config: (url: string) => Record<string, string>;
  /** The route of the preview's read. */
  read: RouteName;
  terminating: RouteName;
}

const subjects: Subject[] = [
  {
    name: "MRS",
    target: mrsTarget,
    inputs: { clusterId, jobExecutionId: "job-running" },
    config: (url) => huaweiConfig(url),
    read: "mrs.get_job",
    terminating: "mrs.kill",
  },
  {
    name: "NodeMan",
    target: nodemanTarget,
    inputs: { subscriptionId: 42 },
    config: (url) => bluekingConfig(url, "apigw"),
    read: "nodeman.task_result",
    terminating: "nodeman.revoke",
  },
  {
    name: "YARN",
    target: yarnTarget,
    inputs: { applicationId: yarnApp },
    config: (url) => ({ "yarn:resourceManagerUrl": url, "yarn:user": "alice" }),
    read: "yarn.get_app",
    terminating: "yarn.kill",
  },
];

/** A refusal of the credentials as each service words it, with the advice the error must carry. */
const refusals: {
  subject: string;
  what: string;
  config?: Record<string, string>;
  fault?: Fault;
  clockSkewMinutes?: number;
  advice: RegExp;
}[] = [
  {
    subject: "MRS",
    what: "a wrong secret key (APIGW.0301)",
    config: { "huaweicloud:secretKey": "not-the-secret-key" },
    advice: /APIGW\.0301.*Check the AK\/SK/,
  },
  {
    subject: "MRS",
    what: "a clock 20 minutes off (the signature's X-Sdk-Date refused, APIGW.0301)",
    clockSkewMinutes: 20,
    advice: /APIGW\.0301.*this machine's clock/,
  },
  {
    subject: "MRS",
    what: "an expired IAM token (APIGW.0307)",
    config: {
      "huaweicloud:accessKey": "",
      "huaweicloud:secretKey": "",
      "huaweicloud:authToken": secrets.expiredToken,
    },
    advice: /APIGW\.0307.*The IAM token has expired/,
  },
  {
    subject: "MRS",
    what: "the gateway's current spelling APIG.0302 (the IAM user may not call the API)",
    fault: mrsRefusal("APIG.0302", "The IAM user is not authorized", { status: 403 }),
    advice: /APIG\.0302.*grant it MRS permissions in IAM/,
  },
  {
    subject: "NodeMan",
    what: "a wrong app secret (the gateway's 1640001)",
    config: { "blueking:appSecret": "not-the-app-secret" },
    advice: /1640001.*check blueking:appCode and blueking:appSecret/,
  },
  {
    subject: "NodeMan",
    what: "a wrong bk_token (the gateway's 1640001)",
    config: { "blueking:bkToken": "not-the-bk-token" },
    advice: /1640001/,
  },
  {
    subject: "YARN",
    what: "a user the ResourceManager refuses (403 ForbiddenException)",
    fault: {
      kind: "reply",
      status: 403,
      body: { RemoteException: { exception: "ForbiddenException", message: "user not allowed" } },
    },
    advice: /HTTP 403.*set yarn:user/,
  },
  {
    subject: "YARN",
    what: "a ResourceManager that knows no user (401 AuthorizationException)",
    fault: {
      kind: "reply",
      status: 401,
      body: {
        RemoteException: {
          exception: "AuthorizationException",
          message: "Unable to obtain user name, user not authenticated",
        },
      },
    },
    advice: /HTTP 401.*set yarn:user/,
  },
];

const failuresOfService: { what: string; fault?: Fault; stopped?: boolean }[] = [
  { what: "answers 503", fault: { kind: "status", status: 503 } },
  { what: "answers 500", fault: { kind: "status", status: 500 } },
  { what: "resets the connection", fault: { kind: "reset" } },
  { what: "is not running", stopped: true },
];

async function emulatorFor(): Promise<Emulator> {
  return startEmulator({
    seed: {
      ...baseSeed(),
      yarn: { clusterTimestamp: ts, applications: [{ name: "nightly-etl", user: "alice" }] },
    },
  });
}

describe("preview: refused credentials fail it, an unreachable or failing service warns", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await emulatorFor();
  });
  afterEach(() => emulator.close());

  for (const refusal of refusals) {
    const subject = subjects.find((s) => s.name === refusal.subject) as Subject;
    const arrange = () => {
      if (refusal.fault) emulator.injectFault({ route: subject.read, times: -1, fault: refusal.fault });
      if (refusal.clockSkewMinutes)
        emulator.setClock(() => new Date(Date.now() + (refusal.clockSkewMinutes as number) * 60_000));
      return { ...subject.config(emulator.url), ...refusal.config };
    };

    it(`${subject.name}, dynamic provider: ${refusal.what} fails the preview with the advice, sending nothing that terminates`, async () => {
      const { provider, lines } = await testProvider(subject.target, arrange(), { timeScale: 0.01 });
      const error = await caught(provider.check({}, subject.inputs));
      expect(isConfigurationError(error), error.message).to.equal(true);
      expect(error.message)
        .to.match(/the API refused the credentials, so `up` would fail too/)
        .and.match(refusal.advice);
      // The dynamic-provider host prints `${error}: ${error.stack}`: one short line, no stack.
      expect(`${error}: ${error.stack}`).to.not.match(/\n\s+at /);
      expect(emulator.requests({ route: subject.terminating })).to.deep.equal([]);
      expect(lines.filter((line) => line.startsWith("warning:"))).to.deep.equal([]);
      expect(findSecrets(error.message, lines)).to.deep.equal([]);
    });

    it(`${subject.name}, plugin: ${refusal.what} fails the preview of Create with the advice, sending nothing that terminates`, async () => {
      const config = arrange();
      const plugin = await startPlugin();
      try {
        await configure(plugin, config);
        const urn = urnOf(subject.target.typeName, "subject");
        const checked = await plugin.call(
          plugin.client.check,
          new provproto.CheckRequest().setUrn(urn).setOlds(struct({})).setNews(struct(subject.inputs)),
        );
        expect(checked.getFailuresList()).to.deep.equal([]);
        const error = await caught(
          plugin.call(
            plugin.client.create,
            new provproto.CreateRequest().setUrn(urn).setProperties(struct(subject.inputs)).setPreview(true),
          ),
        );
        expect(error.message)
          .to.match(/the API refused the credentials, so `up` would fail too/)
          .and.match(refusal.advice);
        expect(emulator.requests({ route: subject.terminating })).to.deep.equal([]);
        expect(plugin.messages.filter((m) => m.severity === "warning")).to.deep.equal([]);
        expect(findSecrets(error.message, plugin.messages)).to.deep.equal([]);
      } finally {
        await plugin.close();
      }
    });
  }

  for (const subject of subjects) {
    for (const failure of failuresOfService) {
      it(`${subject.name}: a service that ${failure.what} is a warning, and the preview goes on (both doors)`, async () => {
        const config = subject.config(emulator.url);
        if (failure.fault) emulator.injectFault({ route: subject.read, times: -1, fault: failure.fault });
        if (failure.stopped) await emulator.close();
        const { provider, lines } = await testProvider(subject.target, config, { timeScale: 0.01 });
        expect((await provider.check({}, subject.inputs)).failures).to.deep.equal([]);
        expect(lines.at(-1)).to.match(/^warning: .*preflight could not read the target, the preview goes on/);

        const plugin = await startPlugin();
        try {
          await configure(plugin, config);
          const urn = urnOf(subject.target.typeName, "subject");
          await plugin.call(
            plugin.client.create,
            new provproto.CreateRequest().setUrn(urn).setProperties(struct(subject.inputs)).setPreview(true),
          );
          const warnings = plugin.messages.filter((m) => m.severity === "warning");
          expect(warnings.map((m) => m.message).join("\n")).to.match(
            /preflight could not read the target, the preview goes on/,
          );
        } finally {
          await plugin.close();
        }
        if (!failure.stopped) expect(emulator.requests({ route: subject.terminating })).to.deep.equal([]);
      });
    }
  }
});
