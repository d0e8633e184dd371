// This module's exports ARE the provider object, so that the engine's serializer records it in
// state as `require("pulumi-termination/providers/mrsJobTermination")` and nothing more.
import { mrsJobTerminationProvider } from "../targets/mrs/target";
export = mrsJobTerminationProvider;
