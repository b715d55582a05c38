/**
 * Admission webhooks with real kubectl: a validating webhook by URL refuses pods, a mutating one
 * behind a Service (its EndpointSlice pointing at this host) labels them, and a webhook that
 * cannot be reached fails requests under failurePolicy Fail and is skipped under Ignore. The
 * webhook server is this test process, serving HTTPS with a certificate from its own CA.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate } from "../../src/pki/certificate.ts";
import { TestServer } from "./lib/server.ts";

/** This host's first non-loopback IPv4 address (EndpointSlices refuse loopback ones). */
function hostIP(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  throw new Error("no non-loopback IPv4 address");
}

interface Review {
  request: { uid: string; object: { metadata: { labels?: Record<string, string> } } };
}

describe("admission webhooks", () => {
  let s: TestServer;
  let hooks: Server;
  let port = 0;
  const calls: string[] = [];
  const ip = hostIP();
  const ca = createCA({ commonName: "e2e-webhook-ca" });
  const caBundle = Buffer.from(ca.certPem).toString("base64");

  before(async () => {
    const serving = issueCertificate({
      ca,
      commonName: "hooks.webhooks.svc",
      dnsNames: ["hooks.webhooks.svc"],
      ipAddresses: ["127.0.0.1"],
      usages: ["server"],
    });
    hooks = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const path = new URL(req.url ?? "/", "https://x").pathname;
        calls.push(path);
        const { request } = JSON.parse(body) as Review;
        const labels = request.object?.metadata?.labels ?? {};
        const response =
          path === "/validate"
            ? labels.deny === "true"
              ? {
                  allowed: false,
                  status: { code: 403, message: "pods labelled deny=true are refused" },
                }
              : { allowed: true, warnings: ["checked by the e2e webhook"] }
            : {
                allowed: true,
                patchType: "JSONPatch",
                patch: Buffer.from(
                  JSON.stringify([{ op: "add", path: "/metadata/labels/stamped", value: "yes" }]),
                ).toString("base64"),
              };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            apiVersion: "admission.k8s.io/v1",
            kind: "AdmissionReview",
            response: { uid: request.uid, ...response },
          }),
        );
      });
    });
    await new Promise<void>((r) => hooks.listen(0, "0.0.0.0", r));
    port = (hooks.address() as AddressInfo).port;
    s = await TestServer.start();
    await s.k("create", "namespace", "webhooks");
    await s.k("create", "namespace", "guarded");
    await s.k("label", "namespace", "guarded", "webhooks=on");
  });
  after(async () => {
    await s?.dispose();
    hooks?.closeAllConnections();
    hooks?.close();
  });

  const apply = async (manifest: object) => {
    const r = await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  const podRule = {
    operations: ["CREATE"],
    apiGroups: [""],
    apiVersions: ["v1"],
    resources: ["pods"],
  };
  const run = (name: string, ...extra: string[]) =>
    s.kubectl(["run", name, "-n", "guarded", "--image=nginx:1.27", ...extra]);

  it("serves the configurations with upstream's defaults and columns, and refuses bad ones", async () => {
    await apply({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "deny-labelled" },
      webhooks: [
        {
          name: "deny.bosun.test",
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle },
          rules: [podRule],
          namespaceSelector: { matchLabels: { webhooks: "on" } },
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
        },
      ],
    });
    const stored = await s.json("get", "validatingwebhookconfiguration", "deny-labelled");
    const webhook = stored.webhooks[0];
    assert.equal(webhook.failurePolicy, "Fail");
    assert.equal(webhook.matchPolicy, "Equivalent");
    assert.equal(webhook.timeoutSeconds, 10);
    assert.deepEqual(webhook.objectSelector, {});
    assert.equal(webhook.rules[0].scope, "*");
    assert.match(await s.k("get", "validatingwebhookconfigurations"), /^deny-labelled\s+1\s+/m);
    const bad = await s.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "bad" },
        webhooks: [{ name: "short", clientConfig: {}, sideEffects: "Maybe" }],
      }),
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /is invalid/);
    assert.match(bad.stderr, /webhooks\[0\]\.name/);
    assert.match(bad.stderr, /webhooks\[0\]\.sideEffects/);
  });

  it("refuses what a validating webhook denies, in the namespaces it selects", async () => {
    const denied = await run("refused", "--labels=deny=true");
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /admission webhook "deny.bosun.test" denied the request: pods labelled deny=true are refused/,
    );
    const allowed = await run("allowed");
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /Warning: checked by the e2e webhook/);
    // Another namespace is not selected: the webhook is not called at all.
    const before = calls.length;
    await s.k("run", "elsewhere", "-n", "webhooks", "--image=nginx:1.27", "--labels=deny=true");
    assert.equal(calls.length, before);
  });

  it("calls a mutating webhook behind a Service and stores its patch", async () => {
    await apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "hooks", namespace: "webhooks" },
      spec: { ports: [{ name: "https", port: 443, targetPort: port }] },
    });
    await apply({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: "hooks-host",
        namespace: "webhooks",
        labels: { "kubernetes.io/service-name": "hooks" },
      },
      addressType: "IPv4",
      ports: [{ name: "https", port, protocol: "TCP" }],
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    });
    await apply({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "stamp" },
      webhooks: [
        {
          name: "stamp.bosun.test",
          clientConfig: {
            service: { namespace: "webhooks", name: "hooks", path: "/mutate" },
            caBundle,
          },
          rules: [podRule],
          namespaceSelector: { matchLabels: { webhooks: "on" } },
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
        },
      ],
    });
    await s.k("run", "stamped", "-n", "guarded", "--image=nginx:1.27");
    const pod = await s.json("get", "pod", "-n", "guarded", "stamped");
    assert.equal(pod.metadata.labels.stamped, "yes");
    assert.ok(calls.includes("/mutate"));
  });

  it("fails requests when a webhook cannot be called, unless its failure policy is Ignore", async () => {
    const unreachable = (failurePolicy: string) => ({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "unreachable" },
      webhooks: [
        {
          name: "down.bosun.test",
          clientConfig: { service: { namespace: "webhooks", name: "nobody" }, caBundle },
          rules: [{ ...podRule, resources: ["configmaps"] }],
          namespaceSelector: { matchLabels: { webhooks: "on" } },
          failurePolicy,
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
        },
      ],
    });
    await apply(unreachable("Fail"));
    const failed = await s.kubectl(["create", "configmap", "c1", "-n", "guarded"]);
    assert.notEqual(failed.code, 0);
    assert.match(
      failed.stderr,
      /Internal error occurred: failed calling webhook "down.bosun.test": service "nobody" not found/,
    );
    await apply(unreachable("Ignore"));
    await s.k("create", "configmap", "c1", "-n", "guarded");
    // Deleting the configuration is never sent to a webhook, so a broken one can always go.
    await s.k("delete", "validatingwebhookconfiguration", "unreachable");
  });
});
