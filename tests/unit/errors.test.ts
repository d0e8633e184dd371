/**
 * Error guards, table-tested: every error class against every guard, for an instance of this copy
 * of the module and of a second copy (what a serialized closure loads).
 */
import { expect } from "chai";
import * as errors from "../../provider/errors";

type Module = typeof errors;

/** A second, independent copy of provider/errors: the same classes, other identities. */
function secondCopy(): Module {
  const path = require.resolve("../../provider/errors");
  const saved = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as Module;
  } finally {
    require.cache[path] = saved;
  }
}

const details = { service: "MRS", operation: "kill", method: "POST", url: "http://x/", httpStatus: 500 };

/** One instance of each class, made from a given copy of the module. */
function instances(m: Module): [string, Error][] {
  return [
    ["TerminationError", new m.TerminationError("t")],
    ["ApiError", new m.ApiError(details)],
    ["NetworkError", new m.NetworkError("n", 1)],
    ["WaitTimeoutError", new m.WaitTimeoutError("w")],
    ["ConfigurationError", new m.ConfigurationError("c")],
    ["TerminationIncompleteError", new m.TerminationIncompleteError("i", "id", {})],
  ];
}

/** [guard, the classes it must recognise]; every other class must be refused. */
const guards: [string, (error: unknown) => boolean, string[]][] = [
  [
    "isTerminationError",
    errors.isTerminationError,
    [
      "TerminationError",
      "ApiError",
      "NetworkError",
      "WaitTimeoutError",
      "ConfigurationError",
      "TerminationIncompleteError",
    ],
  ],
  ["isApiError", errors.isApiError, ["ApiError"]],
  ["isNetworkError", errors.isNetworkError, ["NetworkError"]],
  ["isWaitTimeoutError", errors.isWaitTimeoutError, ["WaitTimeoutError"]],
  ["isConfigurationError", errors.isConfigurationError, ["ConfigurationError"]],
  ["isTerminationIncompleteError", errors.isTerminationIncompleteError, ["TerminationIncompleteError"]],
];

describe("error guards: every class against every guard", () => {
  const copy = secondCopy();
  it("the second copy's classes are other objects", () => {
    expect(copy.ApiError).not.to.equal(errors.ApiError);
    expect(new copy.ApiError(details) instanceof errors.ApiError).to.equal(false);
  });

  for (const [guardName, guard, recognised] of guards) {
    for (const [origin, m] of [
      ["this copy", errors],
      ["a second copy", copy],
    ] as const) {
      for (const [className, error] of instances(m)) {
        const expected = recognised.includes(className);
        it(`${guardName}(${className} from ${origin}) is ${expected}`, () => {
          expect(guard(error)).to.equal(expected);
        });
      }
    }
    it(`${guardName} refuses a plain Error, a string, undefined and a look-alike object`, () => {
      for (const value of [new Error("x"), "ApiError", undefined, { name: recognised[0], message: "x" }])
        expect(guard(value)).to.equal(false);
    });
  }

  it("each class's name is its own class name", () => {
    for (const [className, error] of instances(errors)) expect(error.name).to.equal(className);
  });

  it("NetworkError keeps the original error as its cause", () => {
    const original = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const error = new errors.NetworkError("MRS: read failed", 3, { cause: original });
    expect(error.cause).to.equal(original);
    expect(error.attempts).to.equal(3);
  });
});
