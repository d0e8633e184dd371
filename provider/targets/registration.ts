/**
 * What a target tells the rest of the package about itself: one object per target, in its folder's
 * registration.ts, listed once in `registry.ts`. Each registry derives from that list: the plugin's
 * resources and functions (plugin/tables.ts, plugin/server.ts), the generated files
 * (scripts/generate.ts: types, schema.json, providers/<name>.ts, the public exports) and the names
 * state may load (core/serializable.ts `ProviderName`).
 */
import type { Target } from "../core/contract";
import type { ServedFunction } from "../plugin/functions";

export interface TargetRegistration {
  /** The folder under provider/targets/. */
  folder: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds targets of every kind
  target: Target<any, any, any>;
  /**
   * The name of `providers/<name>.js`, which state loads as `require("pulumi-termination/providers/<name>")`:
   * once released, it must keep loading in every later version.
   */
  providerName: string;
  /** The provider object's export name in `target.ts`, e.g. `mrsJobTerminationProvider`. */
  providerExport: string;
  /** The name of the target's Details type in outputs.generated.ts, e.g. `MrsDetails`. */
  detailsType: string;
  /** The plugin resource's description, for schema.json. */
  description: string;
  /** Its lookups as plugin functions. */
  functions: ServedFunction[];
}
