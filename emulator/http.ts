/** Plain node:http plumbing: read a request once, describe an answer as data, write it. */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface ReceivedRequest {
  method: string;
  /** The path exactly as received, before any decoding: signatures are checked over it. */
  rawPath: string;
  /** The query string exactly as received, without `?`, or "". */
  rawQuery: string;
  /** Lower-case names; repeated headers joined with ", " as node does. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      // Past the limit, keep draining (so a 413 can still be answered) but stop keeping.
      if (size > limitBytes) return;
      size += chunk.length;
      if (size > limitBytes) reject(new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function toReceivedRequest(req: IncomingMessage, body: Buffer): ReceivedRequest {
  const target = req.url ?? "/";
  const questionMark = target.indexOf("?");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return {
    method: req.method ?? "GET",
    rawPath: questionMark < 0 ? target : target.slice(0, questionMark),
    rawQuery: questionMark < 0 ? "" : target.slice(questionMark + 1),
    headers,
    body,
  };
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function emptyReply(status: number): Reply {
  return { status, headers: {}, body: "" };
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

/** The body as a JSON object, or undefined when it is empty, not JSON, or not an object. */
export function parseJsonObject(body: Buffer | string): Record<string, unknown> | undefined {
  const text = body.toString();
  if (text.trim() === "") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
