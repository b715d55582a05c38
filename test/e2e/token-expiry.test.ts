/**
 * Token expiry, driven by a fake clock: the API server refuses TokenRequests under 10 minutes, so
 * waiting out a real token would take that long. This runs the real API server in process with a
 * FakeClock and talks to it with real kubectl: a `kubectl create token --duration=10m` token
 * works for its ten minutes on the server's clock and gets 401 after them; a bootstrap token
 * stops authenticating at its `expiration`, and one with a malformed expiration or extra groups
 * outside `system:bootstrappers:*` never does.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../src/client/resources.ts";
import { startTestApi, type TestApi } from "../../src/client/testing/test-api.ts";
import { bootstrapTokenSecret } from "../../src/cluster-bootstrap/token-secret.ts";
import { FakeClock } from "../../src/machinery/clock.ts";
import { kubeconfigYAML } from "../../src/pki/kubeconfig.ts";
import { run } from "./lib/server.ts";
import { kubectlPath } from "./lib/tools.ts";

const kubectl = kubectlPath("1.34");
const tmp = mkdtempSync(join(tmpdir(), "bosun-token-expiry-"));
const clock = new FakeClock(Date.now());
let api: TestApi;
let admin = "";

function kubeconfig(name: string, user: { token?: string; certPem?: string; keyPem?: string }) {
  const path = join(tmp, `${name}.kubeconfig`);
  writeFileSync(
    path,
    kubeconfigYAML({
      server: api.client.config.server,
      caPem: api.caCertPem,
      ...(user.token ? { token: user.token } : {}),
      ...(user.certPem ? { clientCertPem: user.certPem, clientKeyPem: user.keyPem ?? "" } : {}),
    }),
  );
  return path;
}

const k = (kc: string, ...args: string[]) =>
  run(kubectl, ["--kubeconfig", kc, ...args], {
    env: { ...process.env, HOME: tmp, KUBECONFIG: "" },
  });

async function whoami(kc: string): Promise<string> {
  const r = await k(kc, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
  return r.code === 0 ? r.stdout : r.stderr.trim();
}

const unauthorized = "error: You must be logged in to the server (Unauthorized)";

describe("token expiry on the API server's clock", () => {
  before(async () => {
    api = await startTestApi({ clock });
    admin = kubeconfig("admin", {
      certPem: api.client.config.certPem ?? "",
      keyPem: api.client.config.keyPem ?? "",
    });
    await api.client.create(resourcePath(resources.serviceaccounts, "default"), {
      metadata: { name: "robot" },
    });
  });
  after(async () => {
    await api.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("refuses a TokenRequest shorter than 10 minutes", async () => {
    const r = await k(admin, "create", "token", "robot", "--duration=1m");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /may not specify a duration less than 10 minutes/);
  });

  it("accepts a kubectl create token token until it expires, then answers 401", async () => {
    const r = await k(admin, "create", "token", "robot", "--duration=10m");
    assert.equal(r.code, 0, r.stderr);
    const kc = kubeconfig("robot", { token: r.stdout.trim() });
    assert.equal(await whoami(kc), "system:serviceaccount:default:robot");
    clock.advance(599_000);
    assert.equal(await whoami(kc), "system:serviceaccount:default:robot");
    // Upstream validates exp with go-jose's one-minute leeway; past that it is refused anywhere.
    clock.advance(62_000);
    assert.equal(await whoami(kc), unauthorized);
  });

  it("stops accepting a bootstrap token at its expiration", async () => {
    await api.client.create(
      resourcePath(resources.secrets, "kube-system"),
      bootstrapTokenSecret({
        id: "exp123",
        secret: "0123456789abcdef",
        usages: ["authentication"],
        groups: [],
        ttlMs: 3600_000,
        now: clock.now(),
      }),
    );
    const kc = kubeconfig("bootstrap", { token: "exp123.0123456789abcdef" });
    assert.equal(await whoami(kc), "system:bootstrap:exp123");
    clock.advance(3600_000);
    assert.equal(await whoami(kc), unauthorized);
  });

  it("refuses bootstrap tokens with an unparsable expiration or groups outside system:bootstrappers:*", async () => {
    const b64 = (x: string) => Buffer.from(x).toString("base64");
    const cases: [string, Record<string, string>][] = [
      ["bad001", { expiration: b64("next tuesday") }],
      ["bad002", { "auth-extra-groups": b64("system:masters") }],
    ];
    for (const [id, extra] of cases) {
      const secret = bootstrapTokenSecret({
        id,
        secret: "0123456789abcdef",
        usages: ["authentication"],
        groups: [],
        now: clock.now(),
      });
      secret.data = { ...secret.data, ...extra };
      await api.client.create(resourcePath(resources.secrets, "kube-system"), secret);
      const kc = kubeconfig(id, { token: `${id}.0123456789abcdef` });
      assert.equal(await whoami(kc), unauthorized, id);
    }
  });
});
