/**
 * Client certificate rotation, as upstream's `client-go/util/certificate` manager does it for
 * the kubelet: at a jittered 70–90 % of the certificate's lifetime a new key and CSR are made,
 * authenticated by the current certificate (the approver's `selfnodeclient` case); once issued
 * the new pair is stored and put to use. Failures retry with exponential back-off (2 s doubling,
 * at most 5 min). Timers run on the injected clock.
 */
import { X509Certificate } from "node:crypto";
import type { Clock, Timer } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { NodeCertificate } from "./tls-bootstrap.ts";

/** `nextRotationDeadline`: notBefore + lifetime × (0.7 + 0.2 × random). */
export function nextRotationDeadline(certPem: string, random: number): number {
  const cert = new X509Certificate(certPem);
  const notBefore = Date.parse(cert.validFrom);
  const total = Date.parse(cert.validTo) - notBefore;
  return notBefore + total * (0.7 + 0.2 * random);
}

export interface CertificateManagerOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly current: NodeCertificate;
  /** Requests a new certificate with the current identity. */
  readonly rotate: () => Promise<NodeCertificate>;
  /** Stores the new pair and puts it to use (before the next deadline is computed). */
  readonly onRotated: (cert: NodeCertificate) => Promise<void> | void;
  readonly random?: () => number;
}

const firstBackoffMs = 2_000;
const maxBackoffMs = 5 * 60_000;

export class CertificateManager {
  readonly #o: CertificateManagerOptions;
  #current: NodeCertificate;
  #timer: Timer | undefined;
  #stopped = false;
  #failures = 0;
  /** Settles when a rotation in progress is done (tests wait on it). */
  rotating: Promise<void> | undefined;

  constructor(options: CertificateManagerOptions) {
    this.#o = options;
    this.#current = options.current;
  }

  get current(): NodeCertificate {
    return this.#current;
  }

  /** When the next rotation is due (ms since the epoch). */
  deadline(): number {
    return nextRotationDeadline(this.#current.certPem, (this.#o.random ?? Math.random)());
  }

  start(): void {
    this.#schedule(this.deadline() - this.#o.clock.now());
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    const at = new Date(this.#o.clock.now() + Math.max(0, ms)).toISOString();
    this.#o.log.info("client certificate rotation scheduled", { at });
    this.#timer = this.#o.clock.after(Math.max(0, ms), () => {
      this.rotating = this.#rotate();
    });
  }

  async #rotate(): Promise<void> {
    if (this.#stopped) return;
    this.#o.log.info("rotating the client certificate");
    try {
      const next = await this.#o.rotate();
      if (this.#stopped) return;
      await this.#o.onRotated(next);
      this.#current = next;
      this.#failures = 0;
      this.#o.log.info("client certificate rotated", {
        expires: new X509Certificate(next.certPem).validTo,
      });
      this.#schedule(this.deadline() - this.#o.clock.now());
    } catch (err) {
      const delay = Math.min(maxBackoffMs, firstBackoffMs * 2 ** this.#failures++);
      this.#o.log.warn("client certificate rotation failed; retrying", { err, retryMs: delay });
      this.#schedule(delay);
    }
  }
}
