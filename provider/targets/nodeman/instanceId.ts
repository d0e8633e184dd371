/**
 * NodeMan instance ids: `{object_type}|{node_type}|{type}|{id}`, all lower case
 * (docs/apis.md §1.1). Host ids are a `bk_host_id` or `{ip}-{bk_cloud_id}-{bk_supplier_id}`.
 * Pure functions, so the grammar is tested as a table.
 */
import { isIPv4, isIPv6 } from "node:net";

export const objectTypes = ["host", "service"] as const;
export const nodeTypes = ["topo", "instance", "service_template", "set_template"] as const;

export type ObjectType = (typeof objectTypes)[number];
export type NodeType = (typeof nodeTypes)[number];

export type HostKey = { bkHostId: number } | { ip: string; bkCloudId: number; bkSupplierId: number };

export interface InstanceId {
  objectType: ObjectType;
  nodeType: NodeType;
  /** `host` for hosts, otherwise a CMDB object id (`bk_obj_id`: biz, set, module, …). */
  type: string;
  id: string;
  /** Present when `type` is `host`. */
  host?: HostKey;
}

export type ParseResult = { ok: true; value: InstanceId } | { ok: false; reason: string };

const digits = /^(0|[1-9]\d{0,18})$/;
const objectId = /^[a-z][a-z0-9_]{0,63}$/;

/** The package's helper that makes a host's instance id, named where a host id is malformed. */
const hostHelper = " (or make the id with hostInstanceId({ ip, bkCloudId }))";

function parseHostKey(id: string): HostKey | string {
  if (digits.test(id)) return { bkHostId: Number(id) };
  // Split from the right: an IPv6 address has no "-", so the last two parts are the ids.
  const parts = id.split("-");
  if (parts.length !== 3) {
    // An address alone is the likely slip: show it whole, as hostInstanceId would make it.
    const example = isIPv4(id) || isIPv6(id) ? `${id}-0-0` : "10.0.0.5-0-0";
    return `host id "${id}" must be a bk_host_id (digits) or {ip}-{bk_cloud_id}-{bk_supplier_id}, e.g. "${example}"${hostHelper}`;
  }
  const [ip, cloud, supplier] = parts;
  if (!isIPv4(ip) && !isIPv6(ip)) return `"${ip}" is not an IPv4 or IPv6 address`;
  if (ip !== ip.toLowerCase()) return `IPv6 address "${ip}" must be lower case`;
  if (!digits.test(cloud)) return `bk_cloud_id "${cloud}" must be digits`;
  if (!digits.test(supplier)) return `bk_supplier_id "${supplier}" must be digits`;
  return { ip, bkCloudId: Number(cloud), bkSupplierId: Number(supplier) };
}

export function parseInstanceId(text: string): ParseResult {
  const fail = (reason: string): ParseResult => ({ ok: false, reason });
  const parts = text.split("|");
  if (parts.length !== 4) {
    // A host given by its address or id alone: show the whole instance id it stands for.
    const host = isIPv4(text) || isIPv6(text) ? `${text}-0-0` : /^\d+$/.test(text) ? text : undefined;
    const example = host ? `"host|instance|host|${host}"` : "host|instance|host|1";
    return fail(
      `"${text}" must have four parts {object_type}|{node_type}|{type}|{id}, e.g. ${example}${hostHelper}`,
    );
  }
  const [objectType, nodeType, type, id] = parts;
  if (!(objectTypes as readonly string[]).includes(objectType)) {
    return fail(`object_type "${objectType}" must be one of ${objectTypes.join(", ")}`);
  }
  if (!(nodeTypes as readonly string[]).includes(nodeType)) {
    return fail(`node_type "${nodeType}" must be one of ${nodeTypes.join(", ")}`);
  }
  if (!objectId.test(type))
    return fail(`type "${type}" must be "host" or a lower-case CMDB object id (bk_obj_id)`);
  const value: InstanceId = {
    objectType: objectType as ObjectType,
    nodeType: nodeType as NodeType,
    type,
    id,
  };
  if (type === "host") {
    const host = parseHostKey(id);
    if (typeof host === "string") return fail(host);
    value.host = host;
  } else if (!digits.test(id)) {
    return fail(`id "${id}" of a ${type} instance must be digits`);
  }
  return { ok: true, value };
}

/** The reason an id is invalid, or undefined: the shape `check` wants. */
export function instanceIdProblem(text: string): string | undefined {
  const result = parseInstanceId(text);
  return result.ok ? undefined : result.reason;
}

export function formatInstanceId(parts: {
  objectType: ObjectType;
  nodeType: NodeType;
  type: string;
  id: string | number;
}): string {
  const text = `${parts.objectType}|${parts.nodeType}|${parts.type}|${parts.id}`;
  const result = parseInstanceId(text);
  if (!result.ok) throw new Error(`invalid NodeMan instance id: ${result.reason}`);
  return text;
}

/** `host|instance|host|1` or `host|instance|host|127.0.0.1-1-0`. */
export function hostInstanceId(
  host: { bkHostId: number } | { ip: string; bkCloudId: number; bkSupplierId?: number },
): string {
  const id =
    "bkHostId" in host ? String(host.bkHostId) : `${host.ip}-${host.bkCloudId}-${host.bkSupplierId ?? 0}`;
  return formatInstanceId({ objectType: "host", nodeType: "instance", type: "host", id });
}
