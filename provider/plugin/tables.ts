/**
 * What the plugin serves: a resource per registered target (its inputs and outputs come from the
 * target's field and output tables) and every target's functions (its folder's plugin.ts), both
 * from the one list of targets (provider/targets/registry.ts).
 */
import type { Target } from "../core/contract";
import { registrations } from "../targets/registry";
import type { ServedFunction } from "./functions";

export type { ServedFunction } from "./functions";

export interface ServedResource {
  /** Its outputs are the target's output table with the record every termination keeps. */
  target: Pick<Target<unknown, unknown>, "typeName" | "fields" | "outputs">;
  description: string;
}

export const resources: ServedResource[] = registrations.map(({ target, description }) => ({
  target,
  description,
}));

export const functions: ServedFunction[] = registrations.flatMap((registration) => registration.functions);
