import { expect } from "chai";
import { diffFields, UNKNOWN, validateFields, type FieldTable } from "../../provider/validation/fields";

const table: FieldTable = {
  id: { type: "integer", min: 1, max: 10, required: true, onChange: "replace", description: "an id" },
  name: { type: "string", onChange: "replace", description: "a name" },
  ids: {
    type: "stringList",
    maxItems: 3,
    onChange: "replace",
    check: (v) => (v === "bad" ? "is bad" : undefined),
    description: "ids",
  },
  wait: { type: "boolean", onChange: "update", description: "wait" },
  mode: { type: "enum", values: ["a", "b"], onChange: "update", description: "mode" },
};

describe("field validation", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["valid", { id: 1, name: "x", ids: ["a"], wait: true, mode: "a" }, []],
    ["missing required", {}, ["id"]],
    ["wrong type", { id: "1" }, ["id"]],
    ["out of range", { id: 11 }, ["id"]],
    ["not an integer", { id: 1.5 }, ["id"]],
    ["empty string", { id: 1, name: " " }, ["name"]],
    ["bad item", { id: 1, ids: ["a", "bad"] }, ["ids[1]"]],
    ["duplicate item", { id: 1, ids: ["a", "a"] }, ["ids[1]"]],
    ["empty list", { id: 1, ids: [] }, ["ids"]],
    ["too many", { id: 1, ids: ["a", "b", "c", "d"] }, ["ids"]],
    ["enum typo", { id: 1, mode: "A" }, ["mode"]],
    ["unknown key", { id: 1, extra: true }, ["extra"]],
    // Keys every object has are no fields: a program (YAML, a plain JS object) can still pass them.
    [
      "key named like an Object member",
      JSON.parse('{"id":1,"constructor":"x","toString":1}'),
      ["constructor", "toString"],
    ],
    ["engine key", { id: 1, __provider: "x" }, []],
    ["unknown values in preview", { id: UNKNOWN, name: UNKNOWN, ids: [UNKNOWN, "a"], mode: UNKNOWN }, []],
  ];
  for (const [name, news, properties] of cases) {
    it(`${name}: fails on [${properties.join(", ")}]`, () => {
      expect(validateFields(news, table).map((f) => f.property)).to.deep.equal(properties);
    });
  }
});

describe("diff decisions", () => {
  const olds = { id: 1, name: "x", wait: true, __provider: "old code", outcome: "terminated" };
  const cases: [string, Record<string, unknown>, boolean, string[]][] = [
    ["same inputs", { id: 1, name: "x", wait: true, __provider: "old code" }, false, []],
    ["provider code only", { id: 1, name: "x", wait: true, __provider: "new code" }, false, []],
    ["target changed", { id: 2, name: "x", wait: true }, true, ["id"]],
    ["wait setting changed", { id: 1, name: "x", wait: false }, true, []],
    ["target unknown in preview", { id: UNKNOWN, name: "x", wait: true }, true, ["id"]],
    ["list added", { id: 1, name: "x", wait: true, ids: ["a"] }, true, ["ids"]],
  ];
  for (const [name, news, changes, replaces] of cases) {
    it(`${name}: changes=${changes}, replaces=[${replaces.join(", ")}]`, () => {
      expect(diffFields(olds, news, table)).to.deep.equal({ changes, replaces });
    });
  }
});

describe("diff: a field documented as no change makes no change", () => {
  const withSwitch: FieldTable = {
    ...table,
    preflight: { type: "boolean", onChange: "ignore", description: "a preview-time switch" },
  };
  const olds = { id: 1, preflight: true };
  const cases: [string, Record<string, unknown>, boolean, string[]][] = [
    ["preflight turned off", { id: 1, preflight: false }, false, []],
    ["preflight removed", { id: 1 }, false, []],
    ["preflight unknown in preview", { id: 1, preflight: UNKNOWN }, false, []],
    ["preflight and a wait setting", { id: 1, preflight: false, wait: true }, true, []],
  ];
  for (const [name, news, changes, replaces] of cases) {
    it(`${name}: changes=${changes}`, () => {
      expect(diffFields(olds, news, withSwitch)).to.deep.equal({ changes, replaces });
    });
  }
});
