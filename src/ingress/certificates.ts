/**
 * TLS certificates by server name (SNI) from the Ingresses' `spec.tls`: each entry's Secret
 * (`tls.crt`, `tls.key`, in the Ingress's namespace) serves the entry's hosts (all the Ingress's
 * rule hosts when it names none); a wildcard host serves one label below it. Names without a
 * certificate, and clients without SNI, get the default certificate: a self-signed one made at
 * start (as other controllers' "fake" default certificates), or one given.
 */
import { createSecureContext, type SecureContext } from "node:tls";
import type { Ingress, Secret } from "../api/generated/types.ts";
import type { Logger } from "../machinery/log.ts";
import { createCA } from "../pki/certificate.ts";

export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A self-signed certificate for names nobody configured. */
export function defaultCertificate(): KeyPair {
  const ca = createCA({ commonName: "Bosun Ingress Default Certificate", validityDays: 365 });
  return { certPem: ca.certPem, keyPem: ca.keyPem };
}

/** The key pair in a `kubernetes.io/tls` Secret, or undefined. */
export function secretKeyPair(secret: Secret | undefined): KeyPair | undefined {
  const crt = secret?.data?.["tls.crt"];
  const key = secret?.data?.["tls.key"];
  if (!crt || !key) return undefined;
  return {
    certPem: Buffer.from(crt, "base64").toString("utf8"),
    keyPem: Buffer.from(key, "base64").toString("utf8"),
  };
}

export type SecretLookup = (namespace: string, name: string) => Secret | undefined;

export class CertificateStore {
  readonly #log: Logger;
  #default: SecureContext;
  #byHost = new Map<string, SecureContext>();
  /** Contexts built per Secret version, so that a resync does not rebuild them. */
  #cache = new Map<string, SecureContext>();

  constructor(defaultPair: KeyPair, log: Logger) {
    this.#log = log;
    this.#default = createSecureContext({ cert: defaultPair.certPem, key: defaultPair.keyPem });
  }

  /** Rebuilds the host → certificate map from the Ingresses served. */
  update(ingresses: readonly Ingress[], secrets: SecretLookup): void {
    const byHost = new Map<string, SecureContext>();
    const cache = new Map<string, SecureContext>();
    const sorted = [...ingresses].sort(
      (a, b) =>
        (Date.parse(a.metadata?.creationTimestamp ?? "") || 0) -
        (Date.parse(b.metadata?.creationTimestamp ?? "") || 0),
    );
    for (const ing of sorted) {
      const ns = ing.metadata?.namespace ?? "default";
      for (const tls of ing.spec?.tls ?? []) {
        if (!tls.secretName) continue;
        const secret = secrets(ns, tls.secretName);
        const version = `${ns}/${tls.secretName}@${secret?.metadata?.resourceVersion ?? ""}`;
        let ctx = cache.get(version) ?? this.#cache.get(version);
        if (!ctx) {
          const pair = secretKeyPair(secret);
          if (!pair) {
            this.#log.warn(
              "TLS secret missing or without tls.crt/tls.key; default certificate used",
              {
                ingress: `${ns}/${ing.metadata?.name}`,
                secret: tls.secretName,
              },
            );
            continue;
          }
          try {
            ctx = createSecureContext({ cert: pair.certPem, key: pair.keyPem });
          } catch (err) {
            this.#log.warn("TLS secret does not hold a usable certificate", {
              secret: tls.secretName,
              err,
            });
            continue;
          }
        }
        cache.set(version, ctx);
        const hosts = tls.hosts?.length
          ? tls.hosts
          : (ing.spec?.rules ?? []).map((r) => r.host).filter((h): h is string => !!h);
        for (const h of hosts) {
          const host = h.toLowerCase();
          if (!byHost.has(host)) byHost.set(host, ctx);
        }
      }
    }
    this.#byHost = byHost;
    this.#cache = cache;
  }

  /** The context for a server name (exact, then one-label wildcard, then the default). */
  contextFor(servername: string | undefined): SecureContext {
    if (!servername) return this.#default;
    const name = servername.toLowerCase();
    const exact = this.#byHost.get(name);
    if (exact) return exact;
    const dot = name.indexOf(".");
    return (dot > 0 && this.#byHost.get(`*${name.slice(dot)}`)) || this.#default;
  }

  /** `SNICallback` for `tls.createServer`. */
  readonly sniCallback = (
    servername: string,
    cb: (err: Error | null, ctx?: SecureContext) => void,
  ) => cb(null, this.contextFor(servername));
}
