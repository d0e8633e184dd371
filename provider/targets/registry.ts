/**
 * Every target, once: the list each registry derives from (see registration.ts). Adding a target is
 * its folder and its entry here; then `npm run generate` (CONTRIBUTING.md "Adding a target").
 */
import { mrsRegistration } from "./mrs/registration";
import { nodemanRegistration } from "./nodeman/registration";
import { yarnRegistration } from "./yarn/registration";

export const registrations = [mrsRegistration, nodemanRegistration, yarnRegistration] as const;
