import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { RuleWithOperations } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { silentLogger } from "../../../machinery/log.ts";
import { isStatusError, type StatusError } from "../../../machinery/status.ts";
import { createCA, issueCertificate } from "../../../pki/certificate.ts";
import type { AdmissionAttributes } from "../admission.ts";
import { StaticReader } from "../plugins/reader.ts";
import { attrs, podsDef, resourceDef } from "../plugins/testing.ts";
import { ruleMatches, webhookMatches } from "./matching.ts";
import { mutatingWebhookAdmission, validatingWebhookAdmission } from "./webhook-admission.ts";

const ca = createCA({ commonName: "webhook-ca" });
const serving = issueCertificate({
  ca,
  commonName: "hook.webhooks.svc",
  dnsNames: ["hook.webhooks.svc", "localhost"],
  ipAddresses: ["127.0.0.1"],
  usages: ["server"],
});
const caBundle = Buffer.from(ca.certPem).toString("base64");
const otherCa = Buffer.from(createCA({ commonName: "other" }).certPem).toString("base64");

interface Review {
  request: {
    uid: string;
    operation: string;
    name: string;
    namespace?: string;
    object: KubeObject | null;
    userInfo: { username: string };
    dryRun: boolean;
  };
}

/** What each path answers: allowed, refusals, patches, sleeps, bad uids. */
const seen: Array<{ path: string; review: Review }> = [];
function answer(path: string, review: Review): unknown {
  const uid = review.request.uid;
  const ok = (extra: object = {}) => ({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid, allowed: true, ...extra },
  });
  const patch = (ops: unknown) => ({
    patchType: "JSONPatch",
    patch: Buffer.from(JSON.stringify(ops)).toString("base64"),
  });
  switch (path) {
    case "/allow":
      return ok({ warnings: ["careful"] });
    case "/deny":
      return {
        ...ok(),
        response: { uid, allowed: false, status: { message: "no pods named bad", code: 403 } },
      };
    case "/deny-bare":
      return { ...ok(), response: { uid, allowed: false } };
    case "/label":
      return ok(patch([{ op: "add", path: "/metadata/labels/stamped", value: "yes" }]));
    case "/count": {
      // Records how many labels it saw: reinvoked, it sees the later webhook's label too.
      const n = Object.keys(review.request.object?.metadata?.labels ?? {}).length;
      return ok(patch([{ op: "add", path: "/metadata/annotations", value: { seen: String(n) } }]));
    }
    case "/bad-uid":
      return { ...ok(), response: { uid: "someone-else", allowed: true } };
    case "/bad-patch":
      return ok(patch([{ op: "replace", path: "/spec/nothing/here", value: 1 }]));
    default:
      return ok();
  }
}

let server: Server;
let port = 0;

before(async () => {
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://x");
      const review = JSON.parse(body) as Review;
      seen.push({ path: url.pathname, review });
      if (url.pathname === "/slow") return; // never answers
      if (url.searchParams.get("timeout") === null) res.writeHead(400).end("no timeout");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer(url.pathname, review)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

type Hook = Record<string, unknown> & { name: string };

function hook(name: string, path: string, extra: Partial<Hook> = {}): Hook {
  return {
    name,
    clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
    sideEffects: "None",
    admissionReviewVersions: ["v1"],
    failurePolicy: "Fail",
    timeoutSeconds: 2,
    namespaceSelector: {},
    objectSelector: {},
    ...extra,
  };
}

function reader(validating: Hook[], mutating: Hook[] = []) {
  return new StaticReader()
    .add(
      "admissionregistration.k8s.io",
      "validatingwebhookconfigurations",
      ...(validating.length
        ? [{ metadata: { name: "v" }, webhooks: validating } as KubeObject]
        : []),
    )
    .add(
      "admissionregistration.k8s.io",
      "mutatingwebhookconfigurations",
      ...(mutating.length ? [{ metadata: { name: "m" }, webhooks: mutating } as KubeObject] : []),
    )
    .add("", "namespaces", {
      metadata: { name: "ns", labels: { team: "a" } },
    } as KubeObject);
}

const pod = (labels: Record<string, string> = {}): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "ns", labels },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  }) as KubeObject;

async function validate(
  hooks: Hook[],
  a: AdmissionAttributes = attrs({ resource: podsDef, object: pod() }),
) {
  await validatingWebhookAdmission({ reader: reader(hooks), log: silentLogger }).validate!(a);
  return a;
}

async function refusal(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    if (isStatusError(err)) return err;
    throw err;
  }
  assert.fail("the request was not refused");
}

describe("admission webhooks", () => {
  it("match on operation, group, version, resource and subresource, and scope", () => {
    const a = attrs({ resource: podsDef, subresource: "status", object: pod() });
    const rule = (resources: string[], scope = "*"): RuleWithOperations => ({
      operations: ["CREATE"],
      apiGroups: [""],
      apiVersions: ["v1"],
      resources,
      scope,
    });
    assert.equal(ruleMatches(rule(["pods"]), a, false), false, "pods does not cover pods/status");
    assert.equal(ruleMatches(rule(["pods/status"]), a, false), true);
    assert.equal(ruleMatches(rule(["*/status"]), a, false), true);
    assert.equal(ruleMatches(rule(["*"]), a, false), false, "* covers no subresource");
    assert.equal(ruleMatches(rule(["*/*"]), a, false), true);
    assert.equal(ruleMatches(rule(["pods/*"], "Cluster"), a, false), false);
    assert.equal(ruleMatches(rule(["pods/*"], "Namespaced"), a, false), true);
    const update = { ...a, operation: "UPDATE" as const };
    assert.equal(ruleMatches(rule(["*/*"]), update, false), false);
    const v2 = { ...rule(["pods/status"]), apiVersions: ["v2"] };
    assert.equal(ruleMatches(v2, a, false), false, "Exact needs the version");
    assert.equal(ruleMatches(v2, a, true), true, "Equivalent does not");
    const nodes = attrs({ resource: resourceDef("", "nodes", "Node", false), namespace: "" });
    assert.equal(ruleMatches({ ...rule(["nodes"], "Cluster") }, nodes, false), true);
  });

  it("select by namespace labels and by the new or old object's labels", () => {
    const labels = (ns: string) => (ns === "ns" ? { team: "a" } : {});
    const h = (extra: Partial<Hook>) => hook("h.example.com", "/allow", extra) as never;
    const a = attrs({ resource: podsDef, object: pod({ app: "web" }) });
    assert.ok(webhookMatches(h({ namespaceSelector: { matchLabels: { team: "a" } } }), a, labels));
    assert.ok(!webhookMatches(h({ namespaceSelector: { matchLabels: { team: "b" } } }), a, labels));
    assert.ok(webhookMatches(h({ objectSelector: { matchLabels: { app: "web" } } }), a, labels));
    assert.ok(!webhookMatches(h({ objectSelector: { matchLabels: { app: "db" } } }), a, labels));
    const relabelled = { ...a, operation: "UPDATE" as const, oldObject: pod({ app: "db" }) };
    const updates = {
      rules: [{ ...(hook("x.y.z", "/").rules as object[])[0], operations: ["*"] }],
    };
    assert.ok(
      webhookMatches(
        h({ ...updates, objectSelector: { matchLabels: { app: "db" } } }),
        relabelled,
        labels,
      ),
      "the old object's labels match too",
    );
  });

  it("refuse with the webhook's message and code, and pass on its warnings", async () => {
    const denied = await refusal(validate([hook("deny.example.com", "/deny")]));
    assert.equal(denied.status.code, 403);
    assert.equal(
      denied.status.message,
      'admission webhook "deny.example.com" denied the request: no pods named bad',
    );
    const bare = await refusal(validate([hook("bare.example.com", "/deny-bare")]));
    assert.equal(bare.status.code, 400);
    assert.equal(
      bare.status.message,
      'admission webhook "bare.example.com" denied the request without explanation',
    );
    const allowed = await validate([hook("allow.example.com", "/allow")]);
    assert.deepEqual(allowed.warnings, ["careful"]);
    const request = seen.at(-1)!.review.request;
    assert.equal(request.operation, "CREATE");
    assert.equal(request.namespace, "ns");
    assert.equal(request.userInfo.username, "admin");
    assert.equal(request.object?.metadata?.name, "web");
  });

  it("fail closed under failurePolicy Fail and skip under Ignore", async () => {
    const down = { url: "https://127.0.0.1:1/x", caBundle };
    const failed = await refusal(validate([hook("down.example.com", "/", { clientConfig: down })]));
    assert.equal(failed.status.code, 500);
    assert.equal(failed.status.reason, "InternalError");
    assert.match(
      failed.status.message ?? "",
      /^Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/x\?timeout=2s": .*ECONNREFUSED/,
    );
    await validate([
      hook("down.example.com", "/", { clientConfig: down, failurePolicy: "Ignore" }),
    ]);
    const slow = await refusal(
      validate([hook("slow.example.com", "/slow", { timeoutSeconds: 1 })]),
    );
    assert.match(slow.status.message ?? "", /context deadline exceeded/);
    const uid = await refusal(validate([hook("uid.example.com", "/bad-uid")]));
    assert.match(
      uid.status.message ?? "",
      /received invalid webhook response: expected response.uid=/,
    );
    const wrongCa = { url: `https://127.0.0.1:${port}/allow`, caBundle: otherCa };
    const tls = await refusal(validate([hook("tls.example.com", "/", { clientConfig: wrongCa })]));
    assert.match(tls.status.message ?? "", /certificate/);
  });

  it("call a Service through a ready endpoint, checking the certificate for <name>.<ns>.svc", async () => {
    const r = reader([
      hook("svc.example.com", "", {
        clientConfig: {
          service: { namespace: "webhooks", name: "hook", path: "/deny", port: 443 },
          caBundle,
        },
      }),
    ])
      .add("", "services", {
        metadata: { name: "hook", namespace: "webhooks" },
        spec: { ports: [{ name: "https", port: 443, targetPort: 8443 }] },
      } as KubeObject)
      .add("discovery.k8s.io", "endpointslices", {
        metadata: {
          name: "hook-1",
          namespace: "webhooks",
          labels: { "kubernetes.io/service-name": "hook" },
        },
        ports: [{ name: "https", port }],
        endpoints: [
          { addresses: ["127.0.0.2"], conditions: { ready: false } },
          { addresses: ["127.0.0.1"], conditions: { ready: true } },
        ],
      } as KubeObject);
    const plugin = validatingWebhookAdmission({ reader: r, log: silentLogger });
    const denied = await refusal(plugin.validate!(attrs({ resource: podsDef, object: pod() })));
    assert.match(denied.status.message ?? "", /denied the request: no pods named bad/);
    const lonely = reader([
      hook("svc.example.com", "", {
        clientConfig: { service: { namespace: "webhooks", name: "gone", port: 443 }, caBundle },
      }),
    ]);
    const missing = await refusal(
      validatingWebhookAdmission({ reader: lonely, log: silentLogger }).validate!(
        attrs({ resource: podsDef, object: pod() }),
      ),
    );
    assert.match(
      missing.status.message ?? "",
      /failed calling webhook "svc.example.com": service "gone" not found/,
    );
  });

  it("apply mutating webhooks' patches in order, reinvoking IfNeeded ones after a later change", async () => {
    const a = attrs({ resource: podsDef, object: pod({ app: "web" }) });
    const plugin = mutatingWebhookAdmission({
      reader: reader(
        [],
        [
          hook("count.example.com", "/count", { reinvocationPolicy: "IfNeeded" }),
          hook("label.example.com", "/label"),
        ],
      ),
      log: silentLogger,
    });
    await plugin.admit!(a);
    const meta = a.object!.metadata!;
    assert.equal(meta.labels?.stamped, "yes");
    // Reinvoked after the label was added: it saw two labels the second time.
    assert.deepEqual(meta.annotations, { seen: "2" });
    const bad = await refusal(
      mutatingWebhookAdmission({
        reader: reader([], [hook("bad.example.com", "/bad-patch")]),
        log: silentLogger,
      }).admit!(attrs({ resource: podsDef, object: pod() })),
    );
    assert.match(bad.status.message ?? "", /failed calling webhook "bad.example.com": .*patch/);
  });

  it("refuse a dry run for webhooks with side effects, and never call one for its own configuration", async () => {
    const dry = { ...attrs({ resource: podsDef, object: pod() }), dryRun: true };
    const refused = await refusal(
      validate([hook("fx.example.com", "/allow", { sideEffects: "Some" })], dry),
    );
    assert.equal(refused.status.code, 400);
    assert.equal(
      refused.status.message,
      'admission webhook "fx.example.com" does not support dry run',
    );
    const before = seen.length;
    await validate([hook("ok.example.com", "/allow")], { ...dry, warnings: [] });
    assert.equal(seen.at(-1)!.review.request.dryRun, true);
    assert.equal(seen.length, before + 1);
    const all = { operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"] };
    const config = attrs({
      resource: resourceDef(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        false,
      ),
      namespace: "",
      object: { metadata: { name: "v" } } as KubeObject,
    });
    await validate([hook("deny.example.com", "/deny", { rules: [all] })], config);
  });
});
