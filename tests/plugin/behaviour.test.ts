/**
 * One behaviour, two doors: every case of cases.ts runs through the dynamic provider and through
 * the plugin, against the emulator, and must give the same outcomes, outputs, failures and
 * requests, and no secret anywhere.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { findSecrets } from "../helpers/fixtures";
import { cases, seedFor, type Case } from "./cases";
import { doors, type Door, type DoorError } from "./doors";
import type { Props } from "./harness";

async function run(door: Door, emulator: Emulator, c: Case) {
  let id = "";
  let state: Props = {};
  let inputs: Props = {};
  const seen: unknown[] = [];
  for (const step of c.steps) {
    const where = `${door.name}, ${step.op}`;
    switch (step.op) {
      case "preview": {
        const { failures } = await door.preview(c.type, step.inputs);
        seen.push(failures);
        if (step.failures) {
          expect(failures.map(failureName).sort(), where).to.deep.equal(
            step.failures.map((f) => f.property).sort(),
          );
          for (const expected of step.failures) {
            const failure = failures.find((f) => failureName(f) === expected.property);
            if (expected.reason) expect(failure?.reason, where).to.match(expected.reason);
          }
        } else expect(failures, where).to.deep.equal([]);
        for (const line of step.lines ?? []) expect(door.lines().join("\n"), where).to.match(line);
        break;
      }
      case "check": {
        const { failures } = await door.check(c.type, state, step.inputs);
        expect(failures.map(failureName), where).to.deep.equal(step.failures.map((f) => f.property));
        break;
      }
      case "diff": {
        const result = await door.diff(c.type, state, step.inputs);
        expect(result, where).to.deep.equal({ changes: step.changes, replaces: step.replaces });
        break;
      }
      case "create": {
        inputs = step.inputs;
        try {
          const result = await door.create(c.type, step.inputs);
          expect(step.error, `${where}: expected a failure`).to.equal(undefined);
          ({ id } = result);
          state = result.outs;
          expect(state, where).to.deep.include(step.outs ?? {});
        } catch (caught) {
          const error = caught as DoorError;
          seen.push(error.message);
          if (!step.error) throw caught;
          expect(error.message, where).to.match(step.error);
          if (step.incomplete) {
            expect(error.id, `${where}: the partial resource's id`).to.be.a("string").and.not.equal("");
            expect(error.properties, where).to.deep.include(step.incomplete);
            id = error.id as string;
            state = error.properties as Props;
          } else expect(error.id, where).to.equal(undefined);
        }
        for (const line of step.lines ?? []) expect(door.lines().join("\n"), where).to.match(line);
        break;
      }
      case "read": {
        const result = await door.read(c.type, id, state);
        expect(result.id, where).to.equal(id);
        expect(result.props, where).to.deep.include(step.outs);
        state = result.props;
        break;
      }
      case "update": {
        const result = await door.update(c.type, id, state, step.inputs);
        expect(result.outs, where).to.deep.include(step.outs);
        inputs = step.inputs;
        state = result.outs;
        break;
      }
      case "delete":
        await door.delete(c.type, id, state);
        for (const line of step.lines ?? []) expect(door.lines().join("\n"), where).to.match(line);
        break;
    }
    seen.push(state);
  }
  for (const [route, count] of Object.entries(c.requests)) {
    expect(emulator.requests({ route: route as never }).length, `${door.name}: ${route} requests`).to.equal(
      count,
    );
  }
  expect(findSecrets(seen, inputs, door.lines(), emulator.requests()), `${door.name}: secrets`).to.deep.equal(
    [],
  );
}

for (const [doorName, open] of Object.entries(doors)) {
  describe(`behaviour table through the ${doorName === "plugin" ? "provider plugin" : "dynamic provider"}`, () => {
    let emulator: Emulator | undefined;
    let door: Door | undefined;
    afterEach(async () => {
      await door?.close();
      await emulator?.close();
      door = emulator = undefined;
    });
    for (const c of cases) {
      it(c.name, async () => {
        emulator = await startEmulator({ seed: seedFor(c) });
        door = await open(c.config(emulator.url));
        await run(door, emulator, c);
      });
    }
  });
}
