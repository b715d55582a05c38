/**
 * Cluster IPs and node ports for Services. Each allocated value is a Store key
 * (`/registry/ranges/serviceips/<ip>`, `/registry/ranges/servicenodeports/<port>`), so
 * allocation is a create that fails when the value is taken — safe with several API servers.
 */
import { randomInt } from "node:crypto";
import type { KubeObject } from "../../api/object.ts";
import { invalid } from "../../machinery/field-errors.ts";
import { newPath } from "../../machinery/field-path.ts";
import { newInvalid } from "../../machinery/status.ts";
import { isStoreError } from "../../storage/errors.ts";
import type { Store } from "../../storage/store.ts";
import type { RegistryHooks, Undo } from "./generic-registry.ts";

export interface ServiceRanges {
  /** IPv4 CIDR of cluster IPs, e.g. 10.96.0.0/12. */
  readonly serviceCIDR: string;
  readonly nodePortMin: number;
  readonly nodePortMax: number;
}

export const defaultServiceRanges: ServiceRanges = {
  serviceCIDR: "10.96.0.0/12",
  nodePortMin: 30000,
  nodePortMax: 32767,
};

const ipPrefix = "/registry/ranges/serviceips/";
const portPrefix = "/registry/ranges/servicenodeports/";

interface ServicePort {
  port?: number;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

export function cidrRange(cidr: string): { first: number; last: number } {
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toInt(base) / size) * size;
  return { first: start + 1, last: start + size - 2 };
}

/** The n-th address of a CIDR (1 → 10.96.0.1 for the `kubernetes` Service). */
export function nthAddress(cidr: string, n: number): string {
  return toIp(cidrRange(cidr).first - 1 + n);
}

const needsNodePorts = (spec: ServiceSpec) =>
  spec.type === "NodePort" || spec.type === "LoadBalancer";
const needsClusterIP = (spec: ServiceSpec) =>
  spec.type !== "ExternalName" && spec.clusterIP !== "None";

export class ServiceAllocator {
  readonly #store: Store;
  readonly #ranges: ServiceRanges;

  constructor(store: Store, ranges: ServiceRanges = defaultServiceRanges) {
    this.#store = store;
    this.#ranges = ranges;
  }

  get hooks(): RegistryHooks {
    return {
      beforeCreate: (obj) => this.#allocate(obj, undefined),
      beforeUpdate: (obj, old) => this.#allocate(obj, old),
      afterUpdate: (obj, old) => this.#releaseUnused(old, obj),
      afterDelete: (obj) => this.#releaseUnused(obj, undefined),
    };
  }

  async #claim(key: string, owner: string): Promise<boolean> {
    try {
      await this.#store.create(key, new TextEncoder().encode(owner));
      return true;
    } catch (err) {
      if (isStoreError(err, "AlreadyExists")) return false;
      throw err;
    }
  }

  async #release(key: string): Promise<void> {
    await this.#store.delete(key).catch((err: unknown) => {
      if (!isStoreError(err, "NotFound")) throw err;
    });
  }

  async #allocate(obj: KubeObject, old: KubeObject | undefined): Promise<Undo | undefined> {
    const spec = (obj.spec ?? {}) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const owner = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const claimed: string[] = [];
    const undo: Undo = async () => {
      for (const key of claimed) await this.#release(key);
    };
    try {
      if (needsClusterIP(spec) && !oldSpec.clusterIP) {
        claimed.push(await this.#allocateIP(spec, owner));
      }
      if (needsNodePorts(spec)) {
        const held = new Set((oldSpec.ports ?? []).map((p) => p.nodePort).filter(Boolean));
        for (const [i, port] of (spec.ports ?? []).entries()) {
          if (port.nodePort && held.has(port.nodePort)) continue;
          claimed.push(await this.#allocatePort(port, i, owner, obj));
        }
      } else {
        for (const port of spec.ports ?? []) delete port.nodePort;
      }
    } catch (err) {
      await undo();
      throw err;
    }
    return claimed.length > 0 ? undo : undefined;
  }

  async #allocateIP(spec: ServiceSpec, owner: string): Promise<string> {
    const { first, last } = cidrRange(this.#ranges.serviceCIDR);
    const fail = (ip: string, why: string) =>
      newInvalid({ group: "", kind: "Service" }, owner.split("/")[1] ?? "", [
        invalid(newPath("spec", "clusterIPs").index(0), ip, `failed to allocate IP ${ip}: ${why}`),
      ]);
    if (spec.clusterIP) {
      const n = toInt(spec.clusterIP);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(spec.clusterIP) || n < first || n > last) {
        throw fail(
          spec.clusterIP,
          `the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${this.#ranges.serviceCIDR}`,
        );
      }
      if (!(await this.#claim(ipPrefix + spec.clusterIP, owner))) {
        throw fail(spec.clusterIP, "provided IP is already allocated");
      }
    } else {
      // Random probing; the low addresses (first 16) are kept for well-known services.
      for (let attempt = 0; ; attempt++) {
        const ip = toIp(randomInt(Math.min(first + 16, last), last + 1));
        if (await this.#claim(ipPrefix + ip, owner)) {
          spec.clusterIP = ip;
          break;
        }
        if (attempt > 1000) throw fail("", "range is full");
      }
    }
    spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilies = ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    return ipPrefix + spec.clusterIP;
  }

  async #allocatePort(port: ServicePort, i: number, owner: string, obj: KubeObject) {
    const { nodePortMin: min, nodePortMax: max } = this.#ranges;
    const fail = (value: number, why: string) =>
      newInvalid({ group: "", kind: "Service" }, obj.metadata?.name ?? "", [
        invalid(newPath("spec", "ports").index(i).child("nodePort"), value, why),
      ]);
    if (port.nodePort) {
      if (port.nodePort < min || port.nodePort > max) {
        throw fail(
          port.nodePort,
          `provided port is not in the valid range. The range of valid ports is ${min}-${max}`,
        );
      }
      if (!(await this.#claim(portPrefix + port.nodePort, owner))) {
        throw fail(port.nodePort, "provided port is already allocated");
      }
      return portPrefix + port.nodePort;
    }
    for (let attempt = 0; attempt < 1000; attempt++) {
      const candidate = randomInt(min, max + 1);
      if (await this.#claim(portPrefix + candidate, owner)) {
        port.nodePort = candidate;
        return portPrefix + candidate;
      }
    }
    throw fail(0, "range is full");
  }

  /** Releases what `before` held and `after` (undefined: deleted) no longer does. */
  async #releaseUnused(before: KubeObject, after: KubeObject | undefined): Promise<void> {
    const b = (before.spec ?? {}) as ServiceSpec;
    const a = (after?.spec ?? {}) as ServiceSpec;
    if (b.clusterIP && b.clusterIP !== "None" && a.clusterIP !== b.clusterIP) {
      await this.#release(ipPrefix + b.clusterIP);
    }
    const kept = new Set((a.ports ?? []).map((p) => p.nodePort));
    for (const p of b.ports ?? []) {
      if (p.nodePort && !kept.has(p.nodePort)) await this.#release(portPrefix + p.nodePort);
    }
  }
}
