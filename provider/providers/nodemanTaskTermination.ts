// This module's exports ARE the provider object, so that the engine's serializer records it in
// state as `require("pulumi-termination/providers/nodemanTaskTermination")` and nothing more.
import { nodemanTaskTerminationProvider } from "../targets/nodeman/target";
export = nodemanTaskTerminationProvider;
