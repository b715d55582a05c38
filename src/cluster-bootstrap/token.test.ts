import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  generateBootstrapToken,
  parseBootstrapToken,
  tokenIDFromSecretName,
  validateBootstrapGroupName,
  validateUsages,
} from "./token.ts";
import {
  bootstrapTokenSecret,
  expirationOf,
  parseRFC3339,
  tokenForSigning,
  tokenFromSecret,
} from "./token-secret.ts";

const now = Date.UTC(2026, 0, 1);
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("bootstrap tokens", () => {
  it("generates and parses tokens of the form [a-z0-9]{6}.[a-z0-9]{16}", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const t = generateBootstrapToken();
      assert.match(t, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 50);
    assert.deepEqual(parseBootstrapToken("abcdef.0123456789abcdef"), {
      id: "abcdef",
      secret: "0123456789abcdef",
    });
    for (const bad of ["ABCDEF.0123456789abcdef", "abcdef0123456789abcdef", "abc.def", ""]) {
      assert.equal(parseBootstrapToken(bad), undefined, bad);
    }
    assert.equal(tokenIDFromSecretName("bootstrap-token-abcdef"), "abcdef");
    assert.equal(tokenIDFromSecretName("bootstrap-token-abc"), undefined);
  });

  it("validates groups and usages with upstream's messages", () => {
    assert.equal(
      validateBootstrapGroupName("system:bootstrappers:bosun:default-node-token"),
      undefined,
    );
    assert.equal(
      validateBootstrapGroupName("system:masters"),
      'bootstrap group "system:masters" is invalid (must match \\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z)',
    );
    assert.equal(validateUsages(["signing", "authentication"]), undefined);
    assert.equal(
      validateUsages(["signing", "root"]),
      "invalid bootstrap token usage string: root, valid usage options: signing,authentication",
    );
  });

  it("writes the Secret kubeadm writes and reads it back", () => {
    const secret = bootstrapTokenSecret({
      id: "abcdef",
      secret: "0123456789abcdef",
      description: "for node 7",
      ttlMs: 24 * 3600_000,
      usages: ["signing", "authentication"],
      groups: ["system:bootstrappers:bosun:default-node-token"],
      now: now + 123,
    });
    assert.equal(secret.metadata.name, "bootstrap-token-abcdef");
    assert.equal(secret.metadata.namespace, "kube-system");
    assert.equal(secret.type, "bootstrap.kubernetes.io/token");
    const text = Object.fromEntries(
      Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
    );
    assert.deepEqual(text, {
      "token-id": "abcdef",
      "token-secret": "0123456789abcdef",
      description: "for node 7",
      expiration: "2026-01-02T00:00:00Z",
      "usage-bootstrap-signing": "true",
      "usage-bootstrap-authentication": "true",
      "auth-extra-groups": "system:bootstrappers:bosun:default-node-token",
    });
    assert.deepEqual(tokenFromSecret(secret), {
      id: "abcdef",
      secret: "0123456789abcdef",
      description: "for node 7",
      expires: Date.UTC(2026, 0, 2),
      usages: ["authentication", "signing"],
      groups: ["system:bootstrappers:bosun:default-node-token"],
    });
    assert.deepEqual(tokenForSigning(secret, now), { id: "abcdef", secret: "0123456789abcdef" });
    assert.equal(tokenForSigning(secret, Date.UTC(2026, 0, 2)), undefined);
    const forever = bootstrapTokenSecret({
      ...{ id: "abcdef", secret: "0123456789abcdef" },
      ttlMs: 0,
      usages: [],
      groups: [],
      now,
    });
    assert.equal(forever.data.expiration, undefined);
    assert.equal(tokenForSigning(forever, now), undefined, "no signing usage");
  });

  it("treats an unparsable expiration as expired, as upstream", () => {
    const secret = { data: { expiration: b64("tomorrow") } };
    assert.deepEqual(expirationOf(secret, now), { expired: true, ttlMs: 0, expires: undefined });
    assert.equal(parseRFC3339("2026-01-02T00:00:00+02:00"), Date.UTC(2026, 0, 1, 22));
    assert.equal(parseRFC3339("2026-01-02"), undefined);
    assert.equal(parseRFC3339("2026-13-02T00:00:00Z"), undefined);
    assert.deepEqual(expirationOf({ data: {} }, now), {
      expired: false,
      ttlMs: undefined,
      expires: undefined,
    });
  });

  it("explains why a Secret holds no token", () => {
    assert.deepEqual(tokenFromSecret({ metadata: { name: "bootstrap-token-abcdef" }, data: {} }), {
      error: "bootstrap Token Secret has no token-id data: bootstrap-token-abcdef",
    });
    assert.deepEqual(
      tokenFromSecret({ metadata: { name: "my-token" }, data: { "token-id": b64("abcdef") } }),
      {
        error:
          'bootstrap token name is not of the form \'bootstrap-token-(token-id)\'. Actual: "my-token". Expected: "bootstrap-token-abcdef"',
      },
    );
  });
});
