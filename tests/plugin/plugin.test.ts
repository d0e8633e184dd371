/**
 * What only the plugin does: configuration as provider properties (secrets included), messages
 * under their resource's URN, the preview's read in Create(preview) rather than in Check, the
 * functions, Cancel, and the protocol's housekeeping calls.
 */
import { expect } from "chai";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { startEmulator, type Emulator } from "../../emulator";
import { schemaText } from "../../provider/plugin/schema";
import { failureName } from "../../provider/validation/fields";
import {
  baseSeed,
  bluekingConfig,
  clusterId,
  findSecrets,
  huaweiConfig,
  projectId,
  secrets,
} from "../helpers/fixtures";
import {
  configure,
  PluginCallError,
  providerArgs,
  secret,
  pluginPerTest,
  startPlugin,
  struct,
  urnOf,
  type RunningPlugin,
} from "./harness";

const running = { clusterId, jobExecutionId: "job-running" };
const mrsUrn = urnOf("MrsJobTermination", "nightly");

describe("provider plugin over gRPC", () => {
  let emulator: Emulator;
  let plugin: RunningPlugin;
  pluginPerTest({ set: (started) => ({ emulator, plugin } = started), get: () => ({ emulator, plugin }) });

  const check = (urn: string, news: Record<string, unknown>) =>
    plugin.call(
      plugin.client.check,
      new provproto.CheckRequest().setUrn(urn).setOlds(struct({})).setNews(struct(news)),
    );
  const create = (urn: string, inputs: Record<string, unknown>, preview = false) =>
    plugin.call(
      plugin.client.create,
      new provproto.CreateRequest().setUrn(urn).setProperties(struct(inputs)).setPreview(preview),
    );
  const invoke = (name: string, args: Record<string, unknown>) =>
    plugin.call(
      plugin.client.invoke,
      new provproto.InvokeRequest().setTok(`termination:index:${name}`).setArgs(struct(args)),
    );

  it("answers Configure: no secrets in its calls, previews supported", async () => {
    const { failures, response } = await configure(plugin, huaweiConfig(emulator.url));
    expect(failures).to.deep.equal([]);
    expect(response.getAcceptsecrets()).to.equal(false);
    expect(response.getSupportspreview()).to.equal(true);
  });

  it("puts the preview's line under its resource, reading only in the preview of Create", async () => {
    await configure(plugin, huaweiConfig(emulator.url));
    const checked = await check(mrsUrn, running);
    expect(checked.getFailuresList()).to.deep.equal([]);
    expect(emulator.requests().length, "Check reads nothing").to.equal(0);

    const preview = await create(mrsUrn, running, true);
    const outputs = preview.getProperties()?.toJavaScript();
    expect(outputs).to.include({ ...running, outcome: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
    expect(emulator.requests({ route: "mrs.get_job" }).length).to.equal(1);
    expect(emulator.requests({ route: "mrs.kill" }).length, "a preview never kills").to.equal(0);
    const line = plugin.messages.find((m) => /will be killed/.test(m.message));
    expect(line, JSON.stringify(plugin.messages)).to.deep.include({ urn: mrsUrn, severity: "info" });

    const created = await create(mrsUrn, running);
    expect(created.getProperties()?.toJavaScript()).to.include({ outcome: "terminated", jobState: "KILLED" });
    expect(emulator.requests({ route: "mrs.kill" }).length).to.equal(1);
    expect(
      plugin.messages.filter((m) => m.urn !== mrsUrn),
      "every line is under the resource",
    ).to.deep.equal([]);
  });

  it("takes credentials as secret provider properties and names bad settings without echoing them", async () => {
    const args: Record<string, unknown> = {
      ...providerArgs(huaweiConfig(emulator.url), ["secretKey"]),
      maxAttempts: "many",
      colour: "red",
    };
    (args.huaweicloud as Record<string, unknown>).secretkey = secret(secrets.secretKey);
    const response = await plugin.call(
      plugin.client.checkConfig,
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::x")
        .setNews(struct(args)),
    );
    const failures = response.getFailuresList().map((f) => [f.getProperty(), f.getReason()]);
    expect(
      response
        .getFailuresList()
        .map((f) => failureName({ property: f.getProperty(), reason: f.getReason() })),
    ).to.have.members(["huaweicloud.secretkey", "colour"]);
    expect(failures.find(([, reason]) => reason.startsWith("huaweicloud.secretkey"))?.[1]).to.include(
      "did you mean `huaweicloud.secretKey`?",
    );
    expect(findSecrets(failures)).to.deep.equal([]);
    delete args.colour;
    delete (args.huaweicloud as Record<string, unknown>).secretkey;
    const again = await plugin.call(
      plugin.client.checkConfig,
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::x")
        .setNews(struct(args)),
    );
    const reasons = again.getFailuresList().map((f) => [f.getProperty(), f.getReason()]);
    expect(reasons).to.have.length(1);
    expect(reasons[0][0]).to.equal("maxAttempts");
    expect(reasons[0][1]).to.match(/provider setting `maxAttempts`.*"many"/);
  });

  it("answers CheckConfig with every secret setting marked secret, given plain, as JSON text or unknown", async () => {
    const checkConfig = async (news: Record<string, unknown>) =>
      (
        await plugin.call(
          plugin.client.checkConfig,
          new provproto.CheckRequest()
            .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::x")
            .setNews(struct(news)),
        )
      )
        .getInputs()
        ?.toJavaScript();
    // Plain values, as a YAML literal or a Go pulumi.String() sends them (the engine strips marks anyway).
    const plain = await checkConfig({
      version: "0.1.0",
      huaweicloud: {
        accessKey: "AK",
        secretKey: secrets.secretKey,
        securityToken: secrets.securityToken,
        authToken: secrets.authToken,
        region: "cn-north-4",
      },
      blueking: {
        appCode: "app",
        appSecret: secrets.appSecret,
        bkToken: secrets.bkToken,
        accessToken: secrets.accessToken,
      },
      yarn: { user: "etl" },
      maxAttempts: "3",
    });
    expect(plain).to.deep.equal({
      version: "0.1.0",
      huaweicloud: {
        accessKey: "AK",
        secretKey: secret(secrets.secretKey),
        securityToken: secret(secrets.securityToken),
        authToken: secret(secrets.authToken),
        region: "cn-north-4",
      },
      blueking: {
        appCode: "app",
        appSecret: secret(secrets.appSecret),
        bkToken: secret(secrets.bkToken),
        accessToken: secret(secrets.accessToken),
      },
      yarn: { user: "etl" },
      maxAttempts: "3",
    });
    // A default provider's stack config set as JSON text: the object comes back, its secret marked.
    const text = await checkConfig({
      huaweicloud: JSON.stringify({ accessKey: "AK", secretKey: secrets.secretKey }),
    });
    expect(text).to.deep.equal({ huaweicloud: { accessKey: "AK", secretKey: secret(secrets.secretKey) } });
    // A value not known yet stays unknown (marked once known); a setting that is no object stays as it came.
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    expect(await checkConfig({ huaweicloud: { secretKey: unknown }, blueking: unknown })).to.deep.equal({
      huaweicloud: { secretKey: unknown },
      blueking: unknown,
    });
  });

  it("tells a plugin user where to set missing credentials: provider settings, then the environment", async () => {
    await configure(plugin, { "huaweicloud:projectId": projectId, "huaweicloud:mrsEndpoint": emulator.url });
    const failures = (await check(mrsUrn, running)).getFailuresList().map((f) => f.getReason());
    expect(failures.join("\n")).to.match(
      /provider setting `huaweicloud.accessKey` \(stack config `termination:huaweicloud`\).*HW_ACCESS_KEY/,
    );
  });

  it("refuses a misspelled provider setting, in an object or at the top, naming the one meant (issue 17.1)", async () => {
    const args = providerArgs({ ...huaweiConfig(emulator.url), "termination:maxAttempt": "3" }, [
      "secretKey",
    ]);
    const huawei = args.huaweicloud as Record<string, unknown>;
    huawei.mrsEndPoint = huawei.mrsEndpoint;
    delete huawei.mrsEndpoint;
    const response = await plugin.call(
      plugin.client.checkConfig,
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::default")
        .setNews(struct(args)),
    );
    const reasons = response.getFailuresList().map((f) => [f.getProperty(), f.getReason()]);
    expect(reasons).to.have.length(2);
    // `huaweicloud.mrsEndPoint` is no input the engine can look up: no property, the name leads.
    expect(reasons).to.deep.include([
      "",
      "huaweicloud.mrsEndPoint: unknown setting: did you mean `huaweicloud.mrsEndpoint`? (a misspelled setting is refused, not ignored; expected one of accessKey, secretKey, securityToken, authToken, region, projectId, cloud, mrsEndpoint)",
    ]);
    expect(reasons.find(([property]) => property === "maxAttempt")?.[1]).to.match(
      /^unknown setting: did you mean `maxAttempts`\?/,
    );
  });

  it("refuses a setting named like a member every object has (constructor, toString), in an object or at the top: never taken for a setting, Configure never crashes on it", async () => {
    const args = providerArgs(huaweiConfig(emulator.url), ["secretKey"]);
    Reflect.set(args.huaweicloud as object, "constructor", "x");
    args.blueking = JSON.stringify({ toString: "y" });
    Reflect.set(args, "hasOwnProperty", "1");
    const response = await plugin.call(
      plugin.client.checkConfig,
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::x")
        .setNews(struct(args)),
    );
    expect(
      response
        .getFailuresList()
        .map((f) => failureName({ property: f.getProperty(), reason: f.getReason() })),
    ).to.have.members(["huaweicloud.constructor", "blueking.toString", "hasOwnProperty"]);
    // The engine configures a provider whose CheckConfig it did not stop on (an older engine, a
    // failed check ignored): the unknown member is left out, not dereferenced.
    const configured = await plugin.call(
      plugin.client.configure,
      new provproto.ConfigureRequest().setArgs(struct(args)),
    );
    expect(configured.getAcceptsecrets()).to.equal(false);
  });

  it("answers CheckConfig with an object setting whose JSON text does not parse marked secret whole: it may hold a secret", async () => {
    const text = `{"accessKey":"AK","secretKey":"${secrets.secretKey}"`;
    const response = await plugin.call(
      plugin.client.checkConfig,
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::x")
        .setNews(struct({ huaweicloud: text })),
    );
    expect(response.getFailuresList().map((f) => f.getProperty())).to.deep.equal(["huaweicloud"]);
    expect(response.getInputs()?.toJavaScript()).to.deep.equal({ huaweicloud: secret(text) });
    expect(findSecrets(response.getFailuresList().map((f) => f.getReason()))).to.deep.equal([]);
  });

  it("names its own settings in the advice of an API error: huaweicloud.accessKey, not huaweicloud:accessKey (issue 16.8)", async () => {
    await configure(plugin, {
      ...huaweiConfig(emulator.url),
      "huaweicloud:secretKey": "WRONG-" + secrets.secretKey,
    });
    const error = await create(mrsUrn, { ...running, waitForTermination: false }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).to.include("APIGW.0301");
    expect(error?.message).to.include(
      "Check the AK/SK (huaweicloud.accessKey and huaweicloud.secretKey, or HW_ACCESS_KEY and HW_SECRET_KEY)",
    );
    expect(error?.message).not.to.match(/huaweicloud:/);
    expect(findSecrets(error?.message)).to.deep.equal([]);
    // The preview's read refused: its failure quotes the same advice in the same words.
    const previewed = await create(mrsUrn, running, true).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(previewed?.message).to.include("huaweicloud.accessKey and huaweicloud.secretKey");
    expect(previewed?.message).not.to.match(/huaweicloud:/);
  });

  it("reads credentials from the environment after its provider properties", async () => {
    await plugin.close();
    plugin = await startPlugin({
      env: {
        HW_ACCESS_KEY: "wrong",
        HW_SECRET_KEY: "wrong",
        HW_PROJECT_ID: projectId,
        HW_MRS_ENDPOINT: emulator.url,
      },
    });
    await configure(plugin, {
      "huaweicloud:accessKey": huaweiConfig("x")["huaweicloud:accessKey"],
      "huaweicloud:secretKey": secrets.secretKey,
    });
    const created = await create(mrsUrn, { ...running, waitForTermination: false });
    expect(created.getProperties()?.toJavaScript()).to.include({ outcome: "requested" });
  });

  it("never replaces itself when its settings change (that would terminate everything again)", async () => {
    const request = new provproto.DiffRequest()
      .setUrn("urn:pulumi:dev::p::pulumi:providers:termination::x")
      .setOlds(struct(providerArgs(huaweiConfig("http://a"))))
      .setNews(struct(providerArgs(huaweiConfig("http://b"))));
    const diff = await plugin.call(plugin.client.diffConfig, request);
    expect(diff.getChanges()).to.equal(provproto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(diff.getReplacesList()).to.deep.equal([]);
    request.setNews(struct(providerArgs(huaweiConfig("http://a"))));
    expect((await plugin.call(plugin.client.diffConfig, request)).getChanges()).to.equal(
      provproto.DiffResponse.DiffChanges.DIFF_NONE,
    );
  });

  it("serves getMrsJob, listMrsJobs and getNodemanSubscriptionStatus, read-only", async () => {
    await configure(plugin, { ...huaweiConfig(emulator.url), ...bluekingConfig(emulator.url, "apigw") });
    const job = (await invoke("getMrsJob", running)).getReturn()?.toJavaScript();
    expect(job).to.include({ jobExecutionId: "job-running", jobName: "nightly-etl", jobState: "RUNNING" });
    const listed = (await invoke("listMrsJobs", { clusterId })).getReturn()?.toJavaScript() as {
      jobs: { jobExecutionId: string }[];
    };
    expect(listed.jobs.map((j) => j.jobExecutionId)).to.have.members(["job-running", "job-accepted"]);
    const status = (await invoke("getNodemanSubscriptionStatus", { subscriptionId: 42 }))
      .getReturn()
      ?.toJavaScript();
    expect(status).to.have.property("subscriptionId", 42);
    expect((status?.instances as { running: boolean }[]).filter((i) => i.running)).to.have.length(3);
    expect(
      emulator.requests({ route: "mrs.kill" }).length + emulator.requests({ route: "nodeman.revoke" }).length,
    ).to.equal(0);
  });

  it("answers an invoke with bad arguments with failures naming them, sending nothing", async () => {
    await configure(plugin, huaweiConfig(emulator.url));
    const response = await invoke("listMrsJobs", { clusterId: "../x", jobStates: ["DONE"], colour: 1 });
    expect(response.getFailuresList().map((f) => f.getProperty())).to.have.members(["clusterId", "colour"]);
    const states = await invoke("listMrsJobs", { clusterId, jobStates: ["DONE"] });
    expect(states.getFailuresList().map((f) => f.getProperty())).to.deep.equal(["jobStates[0]"]);
    expect(emulator.requests().length).to.equal(0);
    const error = await invoke("getJob", {}).catch((e: PluginCallError) => e);
    expect((error as PluginCallError).message).to.match(/unknown function termination:index:getJob/);
  });

  it("stops a wait on Cancel and records the termination sent as incomplete", async () => {
    await emulator.close();
    emulator = await startEmulator({ seed: { ...baseSeed(), mrsKillDelayMs: 60_000 } });
    await configure(plugin, huaweiConfig(emulator.url));
    const pending = create(mrsUrn, running).catch((e: PluginCallError) => e);
    while (emulator.requests({ route: "mrs.kill" }).length === 0) await new Promise((r) => setTimeout(r, 20));
    await plugin.call(plugin.client.cancel, new Empty());
    const error = (await pending) as PluginCallError;
    expect(error).to.be.instanceOf(PluginCallError);
    expect(error.message).to.match(/cancelled.*run `pulumi up` again/s);
    expect(error.id).to.match(/^mrs\/cluster-1\/job-running@/);
    expect(error.properties).to.include({ outcome: "requested" });
    expect(error.inputs).to.include(running);
    expect(emulator.requests({ route: "mrs.kill" }).length).to.equal(1);
  });

  it("on Cancel while a kill whose answer was lost is retried, records that kill as uncertain, and sends nothing more", async () => {
    await configure(plugin, huaweiConfig(emulator.url));
    // The kill takes effect but its answer is lost; the retry is told to wait 30 s.
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
    emulator.injectFault({
      route: "mrs.kill",
      fault: { kind: "status", status: 429, retryAfterSeconds: 30 },
    });
    const pending = create(mrsUrn, running).catch((e: PluginCallError) => e);
    while (emulator.requests({ route: "mrs.kill" }).length < 2) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await plugin.call(plugin.client.cancel, new Empty());
    const error = (await pending) as PluginCallError;
    expect(Date.now() - started, "the retry's wait ends at the cancel").to.be.below(10_000);
    expect(error).to.be.instanceOf(PluginCallError);
    expect(error.message).to.match(/may have gone through/);
    expect(error.properties).to.deep.include({
      outcome: "requested",
      killedJobExecutionIds: [],
      failedJobExecutionIds: ["job-running"],
      uncertainJobExecutionIds: ["job-running"],
    });
    expect(emulator.requests({ route: "mrs.kill" }).length).to.equal(2);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
  });

  it("on Cancel during a batch, sends none of the kills left, and records the one sent", async () => {
    const seed = baseSeed();
    const jobs = Object.values(seed.huawei!.projects!)[0].clusters[clusterId].jobs;
    const batch = ["b1", "b2", "b3", "b4", "b5"];
    for (const id of batch)
      jobs.push({ job_id: id, job_name: id, job_state: "RUNNING", job_result: "UNDEFINED" });
    emulator.seed(seed);
    await configure(plugin, huaweiConfig(emulator.url));
    // The first kill is held 1.5 s, then done: the cancel comes while it is on its way.
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "hang", ms: 1500 } });
    const pending = create(mrsUrn, { clusterId, jobExecutionIds: batch }).catch((e: PluginCallError) => e);
    while (emulator.requests({ route: "mrs.kill" }).length < 1) await new Promise((r) => setTimeout(r, 20));
    await plugin.call(plugin.client.cancel, new Empty());
    const error = (await pending) as PluginCallError;
    expect(emulator.requests({ route: "mrs.kill" }).map((r) => r.path.split("/").at(-2))).to.deep.equal([
      "b1",
    ]);
    expect(error.properties).to.deep.include({
      outcome: "requested",
      killedJobExecutionIds: ["b1"],
      failedJobExecutionIds: ["b2", "b3", "b4", "b5"],
      uncertainJobExecutionIds: [],
    });
    expect(error.message).to.match(/b2: not sent.*Ctrl-C/s);
  });

  it("answers a Read with an id alone (`pulumi import`) with the record and its inputs; a refresh's Read with no inputs", async () => {
    await configure(plugin, huaweiConfig(emulator.url));
    const read = (props: Record<string, unknown>) =>
      plugin.call(
        plugin.client.read,
        new provproto.ReadRequest()
          .setUrn(mrsUrn)
          .setId("mrs/cluster-1/job-finished")
          .setProperties(struct(props)),
      );
    const imported = await read({});
    expect(imported.getId()).to.equal("mrs/cluster-1/job-finished");
    expect(imported.getInputs()?.toJavaScript()).to.deep.equal({ clusterId, jobExecutionId: "job-finished" });
    const outs = imported.getProperties()?.toJavaScript() ?? {};
    expect(outs).to.include({ outcome: "already-finished", jobState: "FINISHED", imported: true });
    const refreshed = await read(outs);
    expect(refreshed.getInputs()).to.equal(undefined);
    expect(refreshed.getProperties()?.toJavaScript()).to.include({
      outcome: "already-finished",
      imported: true,
    });
    expect(emulator.requests().map((r) => r.route)).to.deep.equal(["mrs.get_job", "mrs.get_job"]);
    await plugin
      .call(plugin.client.read, new provproto.ReadRequest().setUrn(mrsUrn).setId("mrs/cluster-1"))
      .then(
        () => expect.fail("a malformed id was accepted"),
        (error: Error) => expect(error.message).to.include("mrs/<clusterId>/<jobExecutionId>"),
      );
  });

  it("answers an unknown resource type with an error naming the types it serves", async () => {
    const error = await check(urnOf("JobTermination", "x"), {}).catch((e: PluginCallError) => e);
    expect((error as PluginCallError).message).to.match(/unknown resource type.*MrsJobTermination/);
  });

  it("serves its schema and version", async () => {
    const schema = await plugin.call(plugin.client.getSchema, new provproto.GetSchemaRequest());
    expect(schema.getSchema()).to.equal(schemaText("0.0.0-test"));
    const info = await plugin.call(plugin.client.getPluginInfo, new Empty());
    expect(info.getVersion()).to.equal("0.0.0-test");
  });
});
