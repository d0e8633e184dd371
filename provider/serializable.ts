/**
 * What the engine serializes into every resource's state (`__provider`): a few lines that load
 * this package by name in the provider process and delegate to its provider object. Credentials
 * come through `configure`, never through this closure; state pins no file path when the package
 * is installed; and `refresh`/`destroy` run the installed version, not a stale copy of old code.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as path from "node:path";

export type ProviderExport = "nodemanTaskTerminationProvider" | "mrsJobTerminationProvider";

/** By name when installed under node_modules; from this checkout's build otherwise (development). */
function packageModulePath(): string {
  return __dirname.split(path.sep).includes("node_modules")
    ? "pulumi-termination"
    : path.join(__dirname, "index");
}

export function serializableProvider(exportName: ProviderExport): dynamic.ResourceProvider {
  const modulePath = packageModulePath();
  // `require` here is the provider process's, resolved at run time; each method stays a one-liner.
  return {
    configure: (request) => require(modulePath)[exportName].configure(request),
    check: (olds, news) => require(modulePath)[exportName].check(olds, news),
    diff: (id, olds, news) => require(modulePath)[exportName].diff(id, olds, news),
    create: (inputs) => require(modulePath)[exportName].create(inputs),
    read: (id, props) => require(modulePath)[exportName].read(id, props),
    update: (id, olds, news) => require(modulePath)[exportName].update(id, olds, news),
    delete: (id, props) => require(modulePath)[exportName].delete(id, props),
  };
}
