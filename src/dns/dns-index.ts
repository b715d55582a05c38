/**
 * What the cluster zone answers from: namespaces, Services and EndpointSlices, indexed by name and
 * by IP (for PTR), kept current by informer events. Only what DNS needs is kept; an endpoint's DNS
 * name is its `hostname` or its address with dashes, as CoreDNS's kubernetes plugin names it.
 */
import type { EndpointSlice, Namespace, Service } from "../api/generated/types.ts";
import type { Clock } from "../machinery/clock.ts";
import { canonicalIP } from "./ip-text.ts";

export interface PortEntry {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
}

export interface ServiceEntry {
  readonly namespace: string;
  readonly name: string;
  readonly headless: boolean;
  /** Set for `type: ExternalName`. */
  readonly externalName?: string;
  readonly clusterIPs: readonly string[];
  readonly ports: readonly PortEntry[];
}

export interface EndpointEntry {
  /** The DNS label: `hostname`, else the address with `.`/`:` replaced by `-`. */
  readonly hostname: string;
  readonly address: string;
}

export interface SliceEntry {
  /** `namespace/service`. */
  readonly service: string;
  /** Ready endpoints, one entry per address. */
  readonly endpoints: readonly EndpointEntry[];
  /** Empty when the slice declares no ports (no SRV records then). */
  readonly ports: readonly PortEntry[];
}

const serviceNameLabel = "kubernetes.io/service-name";

/** `ServiceEntry` of a Service object. */
export function serviceEntry(svc: Service): ServiceEntry {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const headless = spec.type !== "ExternalName" && (ips[0] === "None" || ips.length === 0);
  return {
    namespace: svc.metadata?.namespace ?? "",
    name: svc.metadata?.name ?? "",
    headless,
    ...(spec.type === "ExternalName" && spec.externalName
      ? { externalName: spec.externalName.replace(/\.$/, "") }
      : {}),
    clusterIPs: headless || spec.type === "ExternalName" ? [] : ips.map(canonicalIP),
    ports: (spec.ports ?? []).map((p) => ({
      name: p.name ?? "",
      port: p.port,
      protocol: p.protocol ?? "TCP",
    })),
  };
}

/** The DNS label of an endpoint address (CoreDNS `endpointHostname`). */
export function endpointHostname(hostname: string | undefined, address: string): string {
  if (hostname) return hostname;
  return address.replace(/[.:]/g, "-");
}

/** `SliceEntry` of an EndpointSlice, or undefined when it belongs to no service. */
export function sliceEntry(slice: EndpointSlice): SliceEntry | undefined {
  const service = slice.metadata?.labels?.[serviceNameLabel];
  if (!service || slice.addressType === "FQDN") return undefined;
  const endpoints: EndpointEntry[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions?.ready === false) continue;
    for (const raw of ep.addresses ?? []) {
      const address = canonicalIP(raw);
      endpoints.push({ hostname: endpointHostname(ep.hostname, address), address });
    }
  }
  return {
    service: `${slice.metadata?.namespace ?? ""}/${service}`,
    endpoints,
    ports: (slice.ports ?? []).map((p) => ({
      name: p.name ?? "",
      port: p.port ?? -1,
      protocol: p.protocol ?? "TCP",
    })),
  };
}

/** Reference counts of keys per IP. */
class IPMap {
  readonly #m = new Map<string, Map<string, number>>();
  add(ip: string, key: string): void {
    let keys = this.#m.get(ip);
    if (!keys) {
      keys = new Map();
      this.#m.set(ip, keys);
    }
    keys.set(key, (keys.get(key) ?? 0) + 1);
  }
  remove(ip: string, key: string): void {
    const keys = this.#m.get(ip);
    const n = keys?.get(key);
    if (!keys || n === undefined) return;
    if (n > 1) keys.set(key, n - 1);
    else keys.delete(key);
    if (keys.size === 0) this.#m.delete(ip);
  }
  keys(ip: string): string[] {
    return [...(this.#m.get(ip)?.keys() ?? [])];
  }
}

export class DnsIndex {
  readonly #clock: Clock;
  readonly #namespaces = new Set<string>();
  readonly #services = new Map<string, ServiceEntry>();
  readonly #slices = new Map<string, SliceEntry>();
  readonly #slicesByService = new Map<string, Set<string>>();
  readonly #serviceIPs = new IPMap();
  readonly #endpointIPs = new IPMap();
  #modified: number;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#modified = Math.floor(clock.now() / 1000);
  }

  /** Seconds since the epoch of the last change: the SOA serial, as CoreDNS uses it. */
  get serial(): number {
    return this.#modified;
  }

  #touch(): void {
    this.#modified = Math.floor(this.#clock.now() / 1000);
  }

  setNamespace(ns: Namespace): void {
    if (ns.metadata?.name) this.#namespaces.add(ns.metadata.name);
  }

  deleteNamespace(ns: Namespace): void {
    if (ns.metadata?.name) this.#namespaces.delete(ns.metadata.name);
  }

  hasNamespace(name: string): boolean {
    return this.#namespaces.has(name);
  }

  setService(svc: Service): void {
    const entry = serviceEntry(svc);
    const key = `${entry.namespace}/${entry.name}`;
    this.#dropService(key);
    this.#services.set(key, entry);
    for (const ip of entry.clusterIPs) this.#serviceIPs.add(ip, key);
    this.#touch();
  }

  deleteService(svc: Service): void {
    this.#dropService(`${svc.metadata?.namespace ?? ""}/${svc.metadata?.name ?? ""}`);
    this.#touch();
  }

  #dropService(key: string): void {
    const old = this.#services.get(key);
    if (!old) return;
    for (const ip of old.clusterIPs) this.#serviceIPs.remove(ip, key);
    this.#services.delete(key);
  }

  setSlice(slice: EndpointSlice): void {
    const key = `${slice.metadata?.namespace ?? ""}/${slice.metadata?.name ?? ""}`;
    this.#dropSlice(key);
    const entry = sliceEntry(slice);
    if (entry) {
      this.#slices.set(key, entry);
      let set = this.#slicesByService.get(entry.service);
      if (!set) {
        set = new Set();
        this.#slicesByService.set(entry.service, set);
      }
      set.add(key);
      for (const ep of entry.endpoints) this.#endpointIPs.add(ep.address, key);
    }
    this.#touch();
  }

  deleteSlice(slice: EndpointSlice): void {
    this.#dropSlice(`${slice.metadata?.namespace ?? ""}/${slice.metadata?.name ?? ""}`);
    this.#touch();
  }

  #dropSlice(key: string): void {
    const old = this.#slices.get(key);
    if (!old) return;
    for (const ep of old.endpoints) this.#endpointIPs.remove(ep.address, key);
    const set = this.#slicesByService.get(old.service);
    set?.delete(key);
    if (set?.size === 0) this.#slicesByService.delete(old.service);
    this.#slices.delete(key);
  }

  service(namespace: string, name: string): ServiceEntry | undefined {
    return this.#services.get(`${namespace}/${name}`);
  }

  /** The EndpointSlices of a service. */
  slicesOf(namespace: string, name: string): SliceEntry[] {
    const keys = this.#slicesByService.get(`${namespace}/${name}`);
    if (!keys) return [];
    const out: SliceEntry[] = [];
    for (const k of keys) {
      const s = this.#slices.get(k);
      if (s) out.push(s);
    }
    return out;
  }

  /** Services whose cluster IP is `ip`. */
  servicesByIP(ip: string): ServiceEntry[] {
    return this.#serviceIPs
      .keys(canonicalIP(ip))
      .map((k) => this.#services.get(k))
      .filter((s): s is ServiceEntry => s !== undefined);
  }

  /** `(service key, endpoint)` pairs whose address is `ip`. */
  endpointsByIP(ip: string): Array<{ service: string; endpoint: EndpointEntry }> {
    const canonical = canonicalIP(ip);
    const out: Array<{ service: string; endpoint: EndpointEntry }> = [];
    for (const key of this.#endpointIPs.keys(canonical)) {
      const slice = this.#slices.get(key);
      for (const endpoint of slice?.endpoints ?? []) {
        if (endpoint.address === canonical) out.push({ service: slice!.service, endpoint });
      }
    }
    return out;
  }
}
