/**
 * Authentication and authorization of kubelet API callers, delegated to the API server as
 * upstream's kubelet does with `--authentication-token-webhook` and `--authorization-mode=Webhook`:
 * a client certificate the cluster CA signed names the user (verified by TLS against the CA);
 * a bearer token is checked with a TokenReview; every request is authorized with a
 * SubjectAccessReview on `nodes/<subresource>`. Answers are cached as upstream's defaults say:
 * tokens 2 minutes, allowed decisions 5 minutes, denied ones 30 seconds. Anonymous requests are
 * refused (k3s and kubeadm run kubelets with `--anonymous-auth=false`).
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { RestClient } from "../../client/rest-client.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import type { KubeletAttributes } from "./request-attributes.ts";

export interface KubeletUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason?: string;
}

/** The review calls the kubelet makes (through its own API credentials). */
export interface ReviewClient {
  tokenReview(token: string): Promise<KubeletUser | undefined>;
  subjectAccessReview(user: KubeletUser, attrs: KubeletAttributes): Promise<Decision>;
}

/** Reviews through the API (`authentication.k8s.io/v1`, `authorization.k8s.io/v1`). */
export function apiReviewClient(client: RestClient): ReviewClient {
  return {
    async tokenReview(token) {
      const review = await client.create<{
        status?: {
          authenticated?: boolean;
          user?: {
            username?: string;
            uid?: string;
            groups?: string[];
            extra?: Record<string, string[]>;
          };
        };
      }>("/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      });
      const u = review.status?.user;
      if (!review.status?.authenticated || !u?.username) return undefined;
      return {
        username: u.username,
        groups: u.groups ?? [],
        ...(u.uid ? { uid: u.uid } : {}),
        ...(u.extra ? { extra: u.extra } : {}),
      };
    },
    async subjectAccessReview(user, attrs) {
      const review = await client.create<{ status?: { allowed?: boolean; reason?: string } }>(
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: user.username,
            groups: user.groups,
            ...(user.uid ? { uid: user.uid } : {}),
            ...(user.extra ? { extra: user.extra } : {}),
            resourceAttributes: {
              verb: attrs.verb,
              version: "v1",
              resource: attrs.resource,
              subresource: attrs.subresource,
              name: attrs.name,
            },
          },
        },
      );
      return {
        allowed: review.status?.allowed === true,
        ...(review.status?.reason ? { reason: review.status.reason } : {}),
      };
    },
  };
}

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

export interface KubeletAuthOptions {
  readonly reviews: ReviewClient;
  readonly clock?: Clock;
  readonly tokenTtlMs?: number;
  readonly allowTtlMs?: number;
  readonly denyTtlMs?: number;
}

export class KubeletAuth {
  readonly #reviews: ReviewClient;
  readonly #clock: Clock;
  readonly #ttl: { token: number; allow: number; deny: number };
  readonly #tokens = new Map<string, Cached<KubeletUser | undefined>>();
  readonly #decisions = new Map<string, Cached<Decision>>();

  constructor(o: KubeletAuthOptions) {
    this.#reviews = o.reviews;
    this.#clock = o.clock ?? realClock;
    this.#ttl = {
      token: o.tokenTtlMs ?? 120_000,
      allow: o.allowTtlMs ?? 300_000,
      deny: o.denyTtlMs ?? 30_000,
    };
  }

  /** The caller, or undefined when it presented no credentials the cluster accepts. */
  async authenticate(req: IncomingMessage): Promise<KubeletUser | undefined> {
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate === "function" && socket.authorized) {
      const subject = socket.getPeerCertificate()?.subject;
      if (subject?.CN) {
        const o = subject.O;
        const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
        return {
          username: String(subject.CN),
          groups: [...groups.map(String), "system:authenticated"],
        };
      }
    }
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) return undefined;
    return this.#cached(
      this.#tokens,
      m[1]!,
      () => this.#reviews.tokenReview(m[1]!),
      (u) => (u ? this.#ttl.token : this.#ttl.deny),
    );
  }

  /** Allowed if any of the attributes is (fine-grained first, then the fallback). */
  async authorize(user: KubeletUser, attrs: readonly KubeletAttributes[]): Promise<Decision> {
    let last: Decision = { allowed: false };
    for (const a of attrs) {
      const key = JSON.stringify([
        user.username,
        user.uid,
        user.groups,
        user.extra,
        a.verb,
        a.subresource,
        a.name,
      ]);
      last = await this.#cached(
        this.#decisions,
        key,
        () => this.#reviews.subjectAccessReview(user, a),
        (d) => (d.allowed ? this.#ttl.allow : this.#ttl.deny),
      );
      if (last.allowed) return last;
    }
    return last;
  }

  async #cached<T>(
    cache: Map<string, Cached<T>>,
    key: string,
    load: () => Promise<T>,
    ttl: (value: T) => number,
  ): Promise<T> {
    const now = this.#clock.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    if (cache.size > 4096) cache.clear();
    cache.set(key, { value, until: now + ttl(value) });
    return value;
  }
}

/** Upstream's 403 text. */
export function forbiddenMessage(user: KubeletUser, a: KubeletAttributes): string {
  return `Forbidden (user=${user.username}, verb=${a.verb}, resource=${a.resource}, subresource=${a.subresource})`;
}
