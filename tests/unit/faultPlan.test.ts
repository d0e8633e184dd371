/** The emulator's fault plan: a fault with `after` is armed by a request of that route. */
import { expect } from "chai";
import { FaultPlan, FaultSpecError, validateFaultSpec } from "../../emulator/faults";

describe("emulator fault plan: `after` arms a fault", () => {
  const hang = { kind: "hang" as const, ms: Infinity };

  it("answers nothing before a request of the `after` route, then every request (times -1)", () => {
    const plan = new FaultPlan();
    plan.inject({ route: "mrs.get_job", after: "mrs.kill", times: -1, fault: hang });
    expect(plan.take("mrs.get_job")).to.equal(undefined);
    expect(plan.take("mrs.kill")).to.equal(undefined);
    expect(plan.take("mrs.get_job")).to.deep.equal(hang);
    expect(plan.take("mrs.get_job")).to.deep.equal(hang);
  });

  it("an unarmed fault does not block an armed one behind it", () => {
    const plan = new FaultPlan();
    plan.inject({ route: "mrs.get_job", after: "mrs.kill", fault: hang });
    plan.inject({ route: "mrs.get_job", fault: { kind: "reset" } });
    expect(plan.take("mrs.get_job")).to.deep.equal({ kind: "reset" });
    expect(plan.take("mrs.get_job")).to.equal(undefined);
    plan.take("mrs.kill");
    expect(plan.take("mrs.get_job")).to.deep.equal(hang);
    expect(plan.take("mrs.get_job")).to.equal(undefined);
  });

  it("refuses an unknown `after` route", () => {
    expect(() => validateFaultSpec({ route: "mrs.get_job", after: "mrs.nope", fault: hang })).to.throw(
      FaultSpecError,
      /after must be one of/,
    );
  });
});
