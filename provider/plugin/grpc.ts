/**
 * The plugin's gRPC plumbing: URNs, check failures and errors in the engine's shapes. An error
 * for a termination sent but not seen through carries ErrorResourceInitFailed, so that the engine
 * records the resource and the next `up` resumes.
 */
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { forEngine, type CheckFailure } from "../validation/fields";
import { pluginWording } from "./config";
import { fromStruct, toStruct, type Props } from "./values";

/** A failure a handler answers with: a message for the engine, and the partial resource when there is one. */
export interface HandlerError {
  message: string;
  id?: string;
  properties?: Props;
  reasons?: string[];
}

export type Handler<Req, Res> = (request: Req) => Promise<Res>;

/** The resource type of a URN: `urn:pulumi:stack::project::parent$type::name`. */
export function typeOf(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

export function describeFailures(failures: CheckFailure[]): string {
  return failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
}

/** Keys sorted at every level, so that two equal configurations compare equal. */
export function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stable((value as Props)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** A CheckResponse; failures in the form the engine prints cleanly, when there are inputs to name. */
export function checkResponse(inputs: Struct | undefined, failures: CheckFailure[]): provproto.CheckResponse {
  const response = new provproto.CheckResponse();
  if (inputs) response.setInputs(inputs);
  const shown = inputs ? forEngine(failures, fromStruct(inputs)) : failures;
  response.setFailuresList(
    shown.map((f) => {
      const failure = new provproto.CheckFailure();
      failure.setProperty(f.property);
      failure.setReason(pluginWording(f.reason));
      return failure;
    }),
  );
  return response;
}

/** Older engines send only `variables`: `termination:config:huaweicloud` (JSON text for objects). */
export function fromVariables(variables: { forEach(f: (value: string, key: string) => void): void }): Props {
  const args: Props = {};
  variables.forEach((value, key) => {
    const name = key.split(":").pop() as string;
    args[name] = value;
  });
  return args;
}

/**
 * A gRPC status for an error. A termination sent but not seen through (TerminationIncompleteError)
 * carries ErrorResourceInitFailed, so the engine records the resource, and the next `up` resumes.
 */
export function grpcError(error: HandlerError & { inputs?: Props }): grpc.ServerErrorResponse {
  const message = pluginWording(error.message ?? String(error));
  const metadata = new grpc.Metadata();
  if (error.id) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(toStruct(error.properties ?? {}));
    detail.setReasonsList((error.reasons ?? [error.message]).map(pluginWording));
    if (error.inputs) detail.setInputs(toStruct(error.inputs));
    const details = new Any();
    details.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(details);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata });
}
