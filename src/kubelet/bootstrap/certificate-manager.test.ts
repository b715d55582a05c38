import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { createCA, issueCertificate } from "../../pki/certificate.ts";
import { CertificateManager, nextRotationDeadline } from "./certificate-manager.ts";
import type { NodeCertificate } from "./tls-bootstrap.ts";

const ca = createCA({ commonName: "test-ca" });
const start = Date.UTC(2026, 5, 1);
const HOUR = 3600_000;

/** A 10-hour certificate issued at `at` (valid from at - 5 min, the signer's backdating). */
function certAt(at: number): NodeCertificate {
  const pair = issueCertificate({
    ca,
    commonName: "system:node:n1",
    organizations: ["system:nodes"],
    usages: ["client"],
    validityDays: 10 / 24,
    now: new Date(at),
  });
  return { certPem: pair.certPem, keyPem: pair.keyPem };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("certificate manager", () => {
  it("puts the rotation deadline at 70 to 90 % of the lifetime", () => {
    const cert = certAt(start);
    const x = new X509Certificate(cert.certPem);
    const from = Date.parse(x.validFrom);
    const life = Date.parse(x.validTo) - from;
    assert.equal(nextRotationDeadline(cert.certPem, 0), from + life * 0.7);
    assert.equal(nextRotationDeadline(cert.certPem, 1), from + life * 0.9);
    assert.equal(nextRotationDeadline(cert.certPem, 0.5), from + life * 0.8);
  });

  it("rotates at the deadline with a new key, stores it and schedules the next", async () => {
    const clock = new FakeClock(start);
    const rotatedTo: NodeCertificate[] = [];
    let requests = 0;
    const m = new CertificateManager({
      clock,
      log: silentLogger,
      current: certAt(start),
      random: () => 0.5,
      rotate: async () => {
        requests++;
        return certAt(clock.now());
      },
      onRotated: (c) => {
        rotatedTo.push(c);
      },
    });
    m.start();
    const deadline = m.deadline();
    clock.advance(deadline - clock.now() - 1);
    await settle();
    assert.equal(requests, 0);
    clock.advance(1);
    await m.rotating;
    assert.equal(requests, 1);
    assert.equal(rotatedTo.length, 1);
    assert.equal(m.current, rotatedTo[0]);
    assert.notEqual(
      createPrivateKey(m.current.keyPem).export({ format: "pem", type: "pkcs8" }),
      createPrivateKey(certAt(start).keyPem).export({ format: "pem", type: "pkcs8" }),
    );
    // The next deadline follows the new certificate.
    assert.ok(m.deadline() > deadline + 7 * HOUR);
    clock.advance(m.deadline() - clock.now());
    await m.rotating;
    assert.equal(requests, 2);
    m.stop();
  });

  it("retries a failed rotation with doubling back-off, and stops when told", async () => {
    const clock = new FakeClock(start);
    const attempts: number[] = [];
    const m = new CertificateManager({
      clock,
      log: silentLogger,
      current: certAt(start),
      random: () => 0,
      rotate: async () => {
        attempts.push(clock.now());
        if (attempts.length < 3) throw new Error("API server unavailable");
        return certAt(clock.now());
      },
      onRotated: () => {},
    });
    m.start();
    clock.advance(m.deadline() - clock.now());
    await m.rotating;
    clock.advance(2_000);
    await m.rotating;
    clock.advance(4_000);
    await m.rotating;
    assert.deepEqual(
      attempts.map((t) => t - attempts[0]!),
      [0, 2_000, 6_000],
    );
    m.stop();
    clock.advance(24 * HOUR);
    await settle();
    assert.equal(attempts.length, 3);
  });
});
