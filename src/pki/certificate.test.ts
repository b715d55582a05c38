import assert from "node:assert/strict";
import { createServer, request } from "node:https";
import { type AddressInfo, isIP } from "node:net";
import { describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { createCA, inspectCertificate, issueCertificate, signCertificate } from "./certificate.ts";
import { generatePrivateKey, publicKeyOf } from "./keys.ts";
import { openssl } from "./testing/openssl.ts";

const ca = createCA({ commonName: "bosun-ca@1" });
const DAY = 24 * 60 * 60 * 1000;

describe("createCA", () => {
  it("makes a self-signed CA certificate", () => {
    const info = inspectCertificate(ca.certificate);
    assert.equal(info.subject.commonName, "bosun-ca@1");
    assert.equal(info.issuer.commonName, "bosun-ca@1");
    assert.equal(info.isCA, true);
    assert.equal(ca.certificate.ca, true);
    assert.ok(ca.certificate.verify(ca.certificate.publicKey));
    assert.ok(ca.certificate.checkPrivateKey(ca.privateKey));
    const years = (info.notAfter.getTime() - info.notBefore.getTime()) / (365 * DAY);
    assert.ok(years > 9.9 && years < 10.1);
  });

  it("signs with RSA and Ed25519 keys as well", () => {
    for (const keyAlgorithm of ["rsa-2048", "ed25519", "ecdsa-p384"] as const) {
      const other = createCA({ commonName: keyAlgorithm, keyAlgorithm });
      const leaf = issueCertificate({ ca: other, commonName: "x", usages: ["client"] });
      assert.ok(leaf.certificate.verify(other.certificate.publicKey), keyAlgorithm);
      assert.ok(leaf.certificate.checkIssued(other.certificate), keyAlgorithm);
    }
  });
});

describe("issueCertificate", () => {
  const serving = issueCertificate({
    ca,
    commonName: "kube-apiserver",
    dnsNames: ["kubernetes", "localhost"],
    ipAddresses: ["127.0.0.1", "::1", "10.96.0.1"],
    usages: ["server"],
  });
  const admin = issueCertificate({
    ca,
    commonName: "system:admin",
    organizations: ["system:masters", "bosun:admins"],
    usages: ["client"],
  });

  it("issues certificates the CA verifies, with the asked-for names and usages", () => {
    assert.ok(serving.certificate.checkIssued(ca.certificate));
    assert.ok(serving.certificate.verify(ca.certificate.publicKey));
    assert.equal(serving.certificate.ca, false);
    const info = inspectCertificate(serving.certPem);
    assert.deepEqual(info.dnsNames, ["kubernetes", "localhost"]);
    assert.deepEqual(info.ipAddresses, ["127.0.0.1", "::1", "10.96.0.1"]);
    assert.deepEqual(info.usages, ["server"]);
    assert.equal(serving.certificate.checkHost("kubernetes"), "kubernetes");
    assert.equal(serving.certificate.checkIP("10.96.0.1"), "10.96.0.1");
    const client = inspectCertificate(admin.certificate);
    assert.equal(client.subject.commonName, "system:admin");
    assert.deepEqual(client.subject.organizations, ["system:masters", "bosun:admins"]);
    assert.deepEqual(client.usages, ["client"]);
  });

  it("backdates by five minutes and never outlives the CA", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const shortCA = createCA({ commonName: "short", validityDays: 10, now });
    const leaf = issueCertificate({ ca: shortCA, commonName: "x", usages: ["client"], now });
    const info = inspectCertificate(leaf.certificate);
    assert.deepEqual(info.notBefore, new Date("2029-12-31T23:55:00Z"));
    assert.deepEqual(info.notAfter, inspectCertificate(shortCA.certificate).notAfter);
  });

  it("signs a given public key (the CSR path)", () => {
    const key = generatePrivateKey();
    const { certificate } = signCertificate({
      ca,
      publicKey: publicKeyOf(key),
      commonName: "n",
      usages: ["client"],
    });
    assert.ok(certificate.checkPrivateKey(key));
  });

  it("is accepted by openssl", () => {
    const text = openssl(["x509", "-in", "{c.pem}", "-noout", "-text"], {
      "c.pem": serving.certPem,
    });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Version: 3/);
    assert.match(text.stdout, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text.stdout, /Issuer: CN = bosun-ca@1/);
    assert.match(text.stdout, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    assert.match(text.stdout, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
    assert.match(text.stdout, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(
      text.stdout,
      /DNS:kubernetes, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.96.0.1/,
    );
    const caText = openssl(["x509", "-in", "{c.pem}", "-noout", "-text"], { "c.pem": ca.certPem });
    assert.match(caText.stdout, /CA:TRUE/);
    assert.match(caText.stdout, /Certificate Sign/);
    const subject = openssl(["x509", "-in", "{c.pem}", "-noout", "-subject"], {
      "c.pem": admin.certPem,
    });
    assert.match(subject.stdout, /O = system:masters, O = bosun:admins, CN = system:admin/);
    for (const [purpose, cert] of [
      ["sslserver", serving],
      ["sslclient", admin],
    ] as const) {
      const verify = openssl(["verify", "-purpose", purpose, "-CAfile", "{ca.pem}", "{c.pem}"], {
        "ca.pem": ca.certPem,
        "c.pem": cert.certPem,
      });
      assert.equal(verify.status, 0, verify.stderr + verify.stdout);
    }
  });

  it("serves mutual TLS: the server sees the client's CN and O", async () => {
    const server = createServer(
      {
        key: serving.keyPem,
        cert: serving.certPem,
        ca: ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.end(JSON.stringify({ cn: peer.subject.CN, o: peer.subject.O }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const get = (host: string, client: { key: string; cert: string }) =>
      new Promise<string>((resolve, reject) => {
        const name = isIP(host) ? {} : { servername: host };
        const req = request(
          { host: "127.0.0.1", ...name, port, path: "/", ca: ca.certPem, ...client },
          (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve(body));
          },
        );
        req.on("error", reject);
        req.end();
      });
    try {
      const adminClient = { key: admin.keyPem, cert: admin.certPem };
      assert.deepEqual(JSON.parse(await get("kubernetes", adminClient)), {
        cn: "system:admin",
        o: ["system:masters", "bosun:admins"],
      });
      await get("127.0.0.1", adminClient); // checked against the IP SAN
      await assert.rejects(get("example.com", adminClient), /altnames/);
      const stranger = issueCertificate({
        ca: createCA({ commonName: "other" }),
        commonName: "x",
        usages: ["client"],
      });
      await assert.rejects(get("kubernetes", { key: stranger.keyPem, cert: stranger.certPem }));
    } finally {
      server.close();
    }
  });
});
