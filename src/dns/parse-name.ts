/**
 * A name inside the cluster zone, split as the Kubernetes DNS specification reads it (CoreDNS
 * `parseRequest`):
 *
 *   _port._protocol.service.namespace.svc.zone   (SRV)
 *   endpoint.service.namespace.svc.zone          (an endpoint: a StatefulSet pod, a headless member)
 *   service.namespace.svc.zone
 *   a-b-c-d.namespace.pod.zone                   (a pod by address)
 *
 * Anything longer, or under a label other than `svc`/`pod`, cannot exist: NXDOMAIN.
 */

export interface RecordRequest {
  /** "" for the apex and for `svc.zone` / `pod.zone` themselves. */
  readonly podOrSvc: "" | "svc" | "pod";
  readonly namespace: string;
  readonly service: string;
  readonly endpoint: string;
  /** SRV port name and protocol, without the underscore ("" = any). */
  readonly port: string;
  readonly protocol: string;
}

export type ParsedName =
  | { readonly ok: true; readonly request: RecordRequest }
  | { readonly ok: false };

const stripUnderscore = (s: string) => (s.startsWith("_") ? s.slice(1) : s);

/** Splits `base` (the name without the zone, lowercased, no trailing dot). */
export function parseRequest(base: string): ParsedName {
  const empty: RecordRequest = {
    podOrSvc: "",
    namespace: "",
    service: "",
    endpoint: "",
    port: "",
    protocol: "",
  };
  if (base === "" || base === "svc" || base === "pod") return { ok: true, request: empty };
  const segs = base.split(".");
  let last = segs.length - 1;
  const kind = segs[last];
  if (kind !== "svc" && kind !== "pod") return { ok: false };
  const r = { ...empty, podOrSvc: kind } as {
    -readonly [K in keyof RecordRequest]: RecordRequest[K];
  };
  if (--last < 0) return { ok: true, request: r };
  r.namespace = segs[last]!;
  if (--last < 0) return { ok: true, request: r };
  r.service = segs[last]!;
  if (--last < 0) return { ok: true, request: r };
  if (last === 0) r.endpoint = segs[0]!;
  else if (last === 1) {
    r.port = stripUnderscore(segs[0]!);
    r.protocol = stripUnderscore(segs[1]!);
  } else return { ok: false };
  return { ok: true, request: r };
}

/** The pod address a `pod.zone` label stands for (`10-1-2-3`, `fd00--1`), or undefined. */
export function podAddress(label: string): string | undefined {
  const dashes = label.split("-").length - 1;
  if (dashes === 3 && !label.includes("--")) {
    const parts = label.split(".").length === 1 ? label.split("-") : [];
    if (parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
      return parts.map(Number).join(".");
    }
  }
  const v6 = label.replaceAll("-", ":");
  return /^[0-9a-f:]+$/.test(v6) && v6.includes(":") && isValidIPv6(v6) ? v6 : undefined;
}

function isValidIPv6(s: string): boolean {
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (groups.some((g) => g.length === 0 || g.length > 4)) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}
