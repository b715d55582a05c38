import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CSRError, createCSR, parseCSR } from "./csr.ts";
import { generatePrivateKey, privateKeyToPEM, publicKeyToPEM } from "./keys.ts";
import { fromPEM, toPEM } from "./pem.ts";
import { openssl } from "./testing/openssl.ts";

const key = generatePrivateKey();
const kubeletServing = createCSR({
  privateKey: key,
  commonName: "system:node:worker-1",
  organizations: ["system:nodes"],
  dnsNames: ["worker-1"],
  ipAddresses: ["192.168.1.10", "fd00::1"],
});

describe("createCSR and parseCSR", () => {
  it("round-trips subject, SANs and public key, verifying the signature", () => {
    const csr = parseCSR(kubeletServing);
    assert.equal(csr.subject.commonName, "system:node:worker-1");
    assert.deepEqual(csr.subject.organizations, ["system:nodes"]);
    assert.deepEqual(csr.dnsNames, ["worker-1"]);
    assert.deepEqual(csr.ipAddresses, ["192.168.1.10", "fd00::1"]);
    assert.deepEqual(csr.emailAddresses, []);
    assert.deepEqual(csr.uris, []);
    assert.equal(csr.signatureAlgorithm, "ecdsa-with-SHA256");
    assert.equal(publicKeyToPEM(csr.publicKey), publicKeyToPEM(key));
  });

  it("makes requests without SANs (kubelet client certificates)", () => {
    for (const keyAlgorithm of ["ecdsa-p256", "rsa-2048", "ed25519"] as const) {
      const pem = createCSR({
        privateKey: generatePrivateKey(keyAlgorithm),
        commonName: "system:node:worker-1",
        organizations: ["system:nodes"],
      });
      const csr = parseCSR(pem);
      assert.deepEqual(csr.extensions, [], keyAlgorithm);
      assert.deepEqual(csr.dnsNames, []);
    }
  });

  it("rejects a request whose signature does not verify", () => {
    const der = fromPEM(kubeletServing, "CERTIFICATE REQUEST");
    const i = der.indexOf(Buffer.from("worker-1"));
    der[i] = "W".charCodeAt(0);
    assert.throws(() => parseCSR(toPEM("CERTIFICATE REQUEST", der)), {
      name: "CSRError",
      message: /signature does not verify/,
    });
  });

  it("rejects what is not a request", () => {
    assert.throws(() => parseCSR("hello"), CSRError);
    assert.throws(
      () => parseCSR(toPEM("CERTIFICATE REQUEST", Buffer.from("3000", "hex"))),
      CSRError,
    );
    assert.throws(
      () => parseCSR(privateKeyToPEM(key)),
      /no PEM block labelled CERTIFICATE REQUEST/,
    );
  });

  it("is accepted by openssl req -verify", () => {
    const out = openssl(["req", "-in", "{r.pem}", "-verify", "-noout", "-text"], {
      "r.pem": kubeletServing,
    });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr + out.stdout, /verify OK/);
    assert.match(out.stdout, /Subject: O = system:nodes, CN = system:node:worker-1/);
    assert.match(
      out.stdout,
      /DNS:worker-1, IP Address:192.168.1.10, IP Address:FD00:0:0:0:0:0:0:1/,
    );
  });

  it("parses requests openssl made", () => {
    const out = openssl(
      [
        "req",
        "-new",
        "-key",
        "{k.pem}",
        "-subj",
        "/O=system:nodes/O=extra/CN=system:node:w2",
        "-addext",
        "subjectAltName=DNS:w2.example,IP:10.0.0.2,email:a@b.c,URI:spiffe://x/y",
      ],
      { "k.pem": privateKeyToPEM(generatePrivateKey("rsa-2048")) },
    );
    assert.equal(out.status, 0, out.stderr);
    const csr = parseCSR(out.stdout);
    assert.equal(csr.subject.commonName, "system:node:w2");
    assert.deepEqual(csr.subject.organizations, ["system:nodes", "extra"]);
    assert.deepEqual(csr.dnsNames, ["w2.example"]);
    assert.deepEqual(csr.ipAddresses, ["10.0.0.2"]);
    assert.deepEqual(csr.emailAddresses, ["a@b.c"]);
    assert.deepEqual(csr.uris, ["spiffe://x/y"]);
    assert.equal(csr.signatureAlgorithm, "sha256WithRSAEncryption");
  });
});
