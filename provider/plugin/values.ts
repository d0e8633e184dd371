/**
 * Property values between the engine's protobuf Structs and the plain objects the lifecycle
 * takes. The plugin tells the engine it does not accept secrets, so the engine strips them from a
 * resource's inputs and marks an output secret when an input of the same name is secret (as for
 * the dynamic provider); `Configure` gets secrets all the same, so they are unwrapped everywhere.
 * The one value the plugin marks secret itself is a provider setting the schema calls secret, in
 * CheckConfig (`config.ts`). Unknown values arrive as the string `UNKNOWN`, which is what the
 * lifecycle expects.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The engine's signature key and the signature of a secret value. */
const signatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

export type Props = Record<string, unknown>;

/** `value` marked secret, as the engine reads it back from a response (and keeps it encrypted). */
export function secretValue(value: unknown): Props {
  return { [signatureKey]: secretSignature, value };
}

function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === "object" && value !== null) {
    const record = value as Props;
    if (record[signatureKey] === secretSignature) return unwrap(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, unwrap(item)]));
  }
  return value;
}

export function fromStruct(struct: Struct | undefined): Props {
  return struct ? (unwrap(struct.toJavaScript()) as Props) : {};
}

/** Drops undefined members (a Struct has no such value) by a JSON round trip. */
export function toStruct(props: object): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}
