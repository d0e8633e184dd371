/**
 * The lifecycle cases of YarnApplicationTermination, held against both servers: the real
 * ResourceManager (tests/yarn/resourceManager.test.ts) and the emulator's YARN part
 * (tests/provider/yarn.test.ts). Each server supplies applications in a given condition and a count
 * of the kills it received; the cases are the same.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { yarnTarget } from "../../provider/targets/yarn/target";
import type { YarnApplicationTerminationInputs } from "../../provider/targets/yarn/inputs.generated";
import { caught, testProvider } from "../helpers/fixtures";

export interface YarnServer {
  /** Stack config reaching it as alice. */
  config(): Record<string, string>;
  /** A RUNNING application of alice's, named `name`. */
  running(name: string): Promise<string>;
  /** Applications that ended on their own: one FINISHED (SUCCEEDED), one FAILED. */
  ended(): Promise<{ succeeded: string; failed: string }>;
  /** An id of this RM's form that it has no application for. */
  unknownId(): Promise<string>;
  /** The kills (PUT .../state) received since the last `reset`, and every request. */
  kills(): number;
  requests(): { method: string }[];
  reset(): void;
  /** The application as the server reports it to its owner. */
  app(
    id: string,
  ): Promise<{ state?: unknown; finalStatus?: unknown; diagnostics?: unknown; finishedTime?: unknown }>;
}

export function yarnLifecycleCases(server: () => YarnServer): void {
  const provider = () => testProvider(yarnTarget, server().config());

  it("previews what it will kill with reads only, then kills once: KILLED, final status KILLED, as YARN reports it; a second up and a refresh send no kill", async () => {
    const s = server();
    const id = await s.running("nightly-etl");
    s.reset();
    const { provider: p, lines } = await provider();
    const inputs: YarnApplicationTerminationInputs = { applicationId: id };

    const checked = await p.check({}, inputs);
    expect(checked.failures).to.deep.equal([]);
    expect(lines.join("\n")).to.match(
      new RegExp(
        `YARN application nightly-etl \\(${id}\\), user alice, queue root.default RUNNING.*: will be killed`,
      ),
    );
    expect(s.kills(), "a preview sends no kill").to.equal(0);
    expect((await s.app(id)).state).to.equal("RUNNING");

    const created = await p.create(inputs);
    expect(created.outs.outcome).to.equal("terminated");
    expect(created.outs.killedApplicationIds).to.deep.equal([id]);
    expect(s.kills()).to.equal(1);
    const reported = await s.app(id);
    expect(reported.state).to.equal("KILLED");
    expect(reported.finalStatus).to.equal("KILLED");
    expect(created.outs.state).to.equal(reported.state);
    expect(created.outs.finalStatus).to.equal(reported.finalStatus);
    expect(created.outs.diagnostics).to.equal(reported.diagnostics);
    expect(created.outs.diagnostics).to.include(`Application ${id} was killed by user alice`);
    const [app] = created.outs.applications ?? [];
    expect(app).to.include({ applicationId: id, name: "nightly-etl", user: "alice", queue: "root.default" });
    expect(app.finishedTime).to.equal(reported.finishedTime);

    s.reset();
    const updated = await p.update(created.id, created.outs, inputs);
    expect(updated.outs).to.deep.equal(created.outs);
    expect(s.requests(), "a second up sends nothing").to.deep.equal([]);
    const read = await p.read(created.id, created.outs);
    expect(read.props?.state).to.equal("KILLED");
    expect(s.kills(), "a refresh sends no kill").to.equal(0);
    expect(s.requests().every((r) => r.method === "GET")).to.equal(true);
  });

  it("an application that finished on its own is already-finished, and no kill is sent to it", async () => {
    const s = server();
    const { succeeded, failed } = await s.ended();
    s.reset();
    const { provider: p, lines } = await provider();
    await p.check({}, { applicationIds: [succeeded, failed] });
    expect(lines.join("\n")).to.include("already FINISHED (final status SUCCEEDED): nothing to do");
    expect(lines.join("\n")).to.include("already FAILED (final status FAILED): nothing to do");
    const created = await p.create({ applicationIds: [succeeded, failed] });
    expect(created.outs.outcome).to.equal("already-finished");
    expect(created.outs.killedApplicationIds).to.deep.equal([]);
    expect(
      created.outs.applications?.map((a: { state?: string; finalStatus?: string }) => [
        a.state,
        a.finalStatus,
      ]),
    ).to.deep.equal([
      ["FINISHED", "SUCCEEDED"],
      ["FAILED", "FAILED"],
    ]);
    const error = await caught(p.create({ applicationId: succeeded, whenAlreadyFinished: "fail" }));
    expect(error.message).to.match(
      new RegExp(
        `application ${succeeded} \\(\\S+\\) was already finished: state FINISHED, final status SUCCEEDED`,
      ),
    );
    expect(s.kills()).to.equal(0);
  });

  it("an unknown application fails the preview on applicationId, and create with the RM's 404", async () => {
    const s = server();
    const unknown = await s.unknownId();
    s.reset();
    const { provider: p } = await provider();
    const { failures = [] } = await p.check({}, { applicationId: unknown });
    expect(failures).to.have.length(1);
    expect(failureName(failures[0])).to.equal("applicationId");
    expect(failures[0].reason).to.match(
      /does not exist: .*HTTP 404 .*NotFoundException: app with id: .* not found/,
    );
    const error = await caught(p.create({ applicationId: unknown }));
    expect(error.message).to.match(/read application .* failed: HTTP 404 .*Check applicationId/);
    expect(s.kills()).to.equal(0);
  });
}
