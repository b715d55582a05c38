/**
 * What the kubelet reads from the API for a pod's containers and volumes: the config maps and
 * secrets it references (the Node authorizer lets a node read exactly those), the services of its
 * namespace (for service environment variables), the claims and volumes of its persistent
 * volumes, its RuntimeClass (for the CRI runtime handler), and service-account tokens
 * (TokenRequest bound to the pod). `ApiPodObjects` serves them from the API; tests use a map-backed fake.
 */
import type {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  RuntimeClass,
  Secret,
  Service,
} from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { isStatusError } from "../machinery/status.ts";

export interface ServiceAccountTokenRequest {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly podName: string;
  readonly podUid: string;
  readonly audiences?: readonly string[];
  readonly expirationSeconds: number;
}

export interface IssuedToken {
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export interface PodObjects {
  /** The config map, or undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  services(namespace: string): Promise<Service[]>;
  persistentVolumeClaim(
    namespace: string,
    name: string,
  ): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
  /** The node.k8s.io RuntimeClass, or undefined when it does not exist. */
  runtimeClass(name: string): Promise<RuntimeClass | undefined>;
  serviceAccountToken(request: ServiceAccountTokenRequest): Promise<IssuedToken>;
}

const notFoundAsUndefined = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((err) => {
    if (isStatusError(err, "NotFound")) return undefined;
    throw err;
  });

/**
 * Reads from the API. Reads of the same object within `maxAgeMs` (1 s) share one request: 30
 * pods starting at once in a namespace need kube-root-ca.crt and the service list only once,
 * and a second is far below the kubelet's 10 s re-sync, so updates still arrive as promptly.
 */
export class ApiPodObjects implements PodObjects {
  readonly #client: RestClient;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #recent = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(client: RestClient, options: { clock?: Clock; maxAgeMs?: number } = {}) {
    this.#client = client;
    this.#clock = options.clock ?? realClock;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  #shared<T>(path: string, read: () => Promise<T>): Promise<T> {
    const now = this.#clock.now();
    for (const [k, v] of this.#recent) if (now - v.at > this.#maxAgeMs) this.#recent.delete(k);
    const hit = this.#recent.get(path);
    if (hit) return hit.value as Promise<T>;
    const value = read();
    this.#recent.set(path, { at: now, value });
    value.catch(() => this.#recent.delete(path));
    return value;
  }

  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    const path = resourcePath(resources.configmaps, namespace, name);
    return this.#shared(path, () => notFoundAsUndefined(this.#client.get<ConfigMap>(path)));
  }

  secret(namespace: string, name: string): Promise<Secret | undefined> {
    const path = resourcePath(resources.secrets, namespace, name);
    return this.#shared(path, () => notFoundAsUndefined(this.#client.get<Secret>(path)));
  }

  async services(namespace: string): Promise<Service[]> {
    const path = resourcePath(resources.services, namespace);
    const list = await this.#shared(path, () => this.#client.get<{ items: Service[] }>(path));
    return list.items;
  }

  persistentVolumeClaim(namespace: string, name: string) {
    return notFoundAsUndefined(
      this.#client.get<PersistentVolumeClaim>(
        resourcePath(resources.persistentvolumeclaims, namespace, name),
      ),
    );
  }

  persistentVolume(name: string) {
    return notFoundAsUndefined(
      this.#client.get<PersistentVolume>(resourcePath(resources.persistentvolumes, "", name)),
    );
  }

  runtimeClass(name: string): Promise<RuntimeClass | undefined> {
    const path = resourcePath(resources.runtimeclasses, "", name);
    return this.#shared(path, () => notFoundAsUndefined(this.#client.get<RuntimeClass>(path)));
  }

  async serviceAccountToken(request: ServiceAccountTokenRequest): Promise<IssuedToken> {
    const path = resourcePath(
      resources.serviceaccounts,
      request.namespace,
      request.serviceAccountName,
      "token",
    );
    const res = await this.#client.create<{
      status: { token: string; expirationTimestamp: string };
    }>(path, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {
        audiences: request.audiences ?? [],
        expirationSeconds: request.expirationSeconds,
        boundObjectRef: {
          apiVersion: "v1",
          kind: "Pod",
          name: request.podName,
          uid: request.podUid,
        },
      },
    });
    return { token: res.status.token, expiresAt: Date.parse(res.status.expirationTimestamp) };
  }
}
