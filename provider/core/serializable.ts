/**
 * What the engine serializes into every resource's state (`__provider`).
 *
 * Installed as a dependency (under node_modules), the provider handed to the engine is the
 * exports of `providers/<name>.js`, a package entry point: the serializer finds it in the module
 * cache and records only `require("pulumi-termination/providers/<name>")`. State then holds no
 * code, no credentials and no file path, and `refresh`/`destroy` run the installed version rather
 * than a stale copy.
 *
 * In a development checkout (the root demo) the serializer would copy local modules by value, so
 * a few-line shim loads the build by absolute path instead.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as path from "node:path";

/** The names `providers/<name>.js` has, one per registered target (provider/targets/registry.ts). */
export type ProviderName = (typeof import("../targets/registry").registrations)[number]["providerName"];

type Shim = dynamic.ResourceProvider & { modulePath: string };

function developmentShim(modulePath: string): Shim {
  // Methods read the path from `this` (the engine calls them as methods), so none captures an
  // environment. `require` is the provider process's, resolved at run time.
  return {
    modulePath,
    configure(request) {
      return require(this.modulePath).configure(request);
    },
    check(olds, news) {
      return require(this.modulePath).check(olds, news);
    },
    diff(id, olds, news) {
      return require(this.modulePath).diff(id, olds, news);
    },
    create(inputs) {
      return require(this.modulePath).create(inputs);
    },
    read(id, props) {
      return require(this.modulePath).read(id, props);
    },
    update(id, olds, news) {
      return require(this.modulePath).update(id, olds, news);
    },
    delete(id, props) {
      return require(this.modulePath).delete(id, props);
    },
  };
}

/** One shim per provider: the serializer caches by object, so resources share one serialization. */
const shims = new Map<ProviderName, Shim>();

export function serializableProvider(name: ProviderName): dynamic.ResourceProvider {
  const entry = path.join(__dirname, "..", "providers", name);
  if (__dirname.split(path.sep).includes("node_modules")) return require(entry) as dynamic.ResourceProvider;
  let shim = shims.get(name);
  if (!shim) shims.set(name, (shim = developmentShim(entry)));
  return shim;
}
