/**
 * Server-side apply with the real kubectl: ownership in managedFields, 409 conflicts naming the
 * other manager, --force-conflicts, removal of fields a manager stops applying, and the
 * client-side → server-side apply migration.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestServer } from "./lib/server.ts";

const deployment = (replicas: number, extra: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ssa", labels: { app: "ssa", ...extra } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "ssa" } },
      template: {
        metadata: { labels: { app: "ssa" } },
        spec: { containers: [{ name: "main", image: "nginx:1.27" }] },
      },
    },
  });

const managers = (obj: Record<string, any>): string[] =>
  (obj.metadata.managedFields ?? [])
    .map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`)
    .sort();

describe("server-side apply", () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start();
  });
  after(async () => {
    await s.dispose();
  });

  const apply = (body: string, ...flags: string[]) =>
    s.kubectl(["apply", "--server-side", "-f", "-", ...flags], { input: body });

  it("creates the object and records the applier's fields", async () => {
    const r = await apply(deployment(2));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/ssa serverside-applied/);
    const obj = await s.json("get", "deployment", "ssa", "--show-managed-fields");
    // The deployment controller records its own status/annotation writes too.
    assert.deepEqual(
      managers(obj).filter((m) => !m.startsWith("controller-manager/")),
      ["kubectl/Apply"],
    );
    const fields = obj.metadata.managedFields[0].fieldsV1;
    assert.deepEqual(Object.keys(fields["f:spec"]).sort(), [
      "f:replicas",
      "f:selector",
      "f:template",
    ]);
    assert.equal(obj.spec.strategy.type, "RollingUpdate", "defaults apply to applied objects");
  });

  it("refuses a conflicting value from another manager with 409, and forces it", async () => {
    const r = await apply(deployment(5), "--field-manager=other");
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas|conflict with "kubectl" using apps\/v1: \.spec\.replicas/,
    );
    assert.equal(
      (await s.json("get", "deployment", "ssa", "--show-managed-fields")).spec.replicas,
      2,
    );
    const forced = await apply(deployment(5), "--field-manager=other", "--force-conflicts");
    assert.equal(forced.code, 0, forced.stderr);
    const obj = await s.json("get", "deployment", "ssa", "--show-managed-fields");
    assert.equal(obj.spec.replicas, 5);
    const other = obj.metadata.managedFields.find(
      (m: { manager: string }) => m.manager === "other",
    );
    assert.ok(other.fieldsV1["f:spec"]["f:replicas"]);
    const mine = obj.metadata.managedFields.find(
      (m: { manager: string }) => m.manager === "kubectl",
    );
    assert.equal(mine.fieldsV1["f:spec"]["f:replicas"], undefined);
  });

  it("removes a field its applier stops applying, unless someone else owns it", async () => {
    // replicas 5 is what "other" owns now: applying the same value shares it without conflict.
    const first = await apply(deployment(5, { team: "a" }));
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      (await s.json("get", "deployment", "ssa", "--show-managed-fields")).metadata.labels.team,
      "a",
    );
    const r = await apply(deployment(5));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (await s.json("get", "deployment", "ssa", "--show-managed-fields")).metadata.labels.team,
      undefined,
    );
  });

  it("records Update ownership for other writes", async () => {
    await s.k("label", "deployment", "ssa", "touched=yes");
    const obj = await s.json("get", "deployment", "ssa", "--show-managed-fields");
    assert.ok(managers(obj).includes("kubectl-label/Update"), managers(obj).join(","));
  });

  it("migrates from client-side apply without conflicts", async () => {
    const cm = (data: Record<string, string>) =>
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "migrate" }, data });
    const csa = await s.kubectl(["apply", "-f", "-"], { input: cm({ a: "1", b: "2" }) });
    assert.equal(csa.code, 0, csa.stderr);
    const ssa = await apply(cm({ a: "1", b: "2" }));
    assert.equal(ssa.code, 0, ssa.stderr);
    const dropped = await apply(cm({ a: "1" }));
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.deepEqual((await s.json("get", "cm", "migrate")).data, { a: "1" });
  });

  it("refuses an apply without a field manager", async () => {
    const { ApiClient } = await import("./lib/api.ts");
    const api = new ApiClient(s.dataDir, s.port);
    const r = await api.send(
      "PATCH",
      "/api/v1/namespaces/default/configmaps/x",
      '{"apiVersion":"v1","kind":"ConfigMap"}',
      {
        "Content-Type": "application/apply-patch+yaml",
      },
    );
    assert.equal(r.status, 400);
    assert.match(r.json().message, /fieldManager/);
  });
});
