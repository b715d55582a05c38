/**
 * helm 3 and helm 4 against the built server: install (with a CRD and a custom resource),
 * list, status, upgrade, rollback and uninstall of a chart with a Deployment, Service,
 * ConfigMap and Secret. helm stores releases in protobuf-written Secrets; helm 4 applies
 * server-side.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { run, TestServer } from "./lib/server.ts";
import { helmPath } from "./lib/tools.ts";

const chart = fileURLToPath(new URL("./fixtures/chart", import.meta.url));

for (const major of [3, 4] as const) {
  describe(`helm ${major}`, () => {
    let s: TestServer;
    let helm: (...args: string[]) => Promise<string>;
    let home = "";
    const ns = `helm${major}`;
    before(async () => {
      s = await TestServer.start();
      home = mkdtempSync(join(tmpdir(), "bosun-helm-"));
      const env = {
        ...process.env,
        KUBECONFIG: s.kubeconfig,
        HOME: home,
        HELM_CACHE_HOME: join(home, "cache"),
        HELM_CONFIG_HOME: join(home, "config"),
        HELM_DATA_HOME: join(home, "data"),
      };
      helm = async (...args) => {
        const r = await run(helmPath(major), args, { env, timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`helm ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
        return r.stdout;
      };
      await s.k("create", "namespace", ns);
    });
    after(async () => {
      await s.dispose();
      rmSync(home, { recursive: true, force: true });
    });

    it("installs the chart with its CRD and custom resource", async () => {
      await helm("install", "demo", chart, "-n", ns);
      const deploy = await s.json("get", "-n", ns, "deployment", "demo-web");
      assert.equal(deploy.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.equal((await s.json("get", "-n", ns, "cm", "demo-config")).data.message, "hello");
      const secret = await s.json("get", "-n", ns, "secret", "demo-secret");
      assert.equal(Buffer.from(secret.data.token, "base64").toString(), "hello-token");
      assert.equal((await s.json("get", "-n", ns, "widget", "demo-widget")).spec.color, "red");
      assert.ok((await s.json("get", "-n", ns, "svc", "demo-web")).spec.clusterIP);
      const releases = await s.json("get", "-n", ns, "secrets", "-l", "owner=helm");
      assert.deepEqual(
        releases.items.map((i: { metadata: { name: string } }) => i.metadata.name),
        ["sh.helm.release.v1.demo.v1"],
      );
    });

    it("lists the release and shows its status", async () => {
      const list = JSON.parse(await helm("list", "-n", ns, "-o", "json"));
      assert.equal(list.length, 1);
      assert.equal(list[0].name, "demo");
      assert.equal(list[0].status, "deployed");
      assert.equal(list[0].revision, "1");
      const status = JSON.parse(await helm("status", "demo", "-n", ns, "-o", "json"));
      assert.equal(status.info.status, "deployed");
    });

    it("upgrades with new values and rolls back", async () => {
      await helm(
        "upgrade",
        "demo",
        chart,
        "-n",
        ns,
        "--set",
        "image=nginx:1.28,message=changed,widgetColor=green,replicas=2",
      );
      let deploy = await s.json("get", "-n", ns, "deployment", "demo-web");
      assert.equal(deploy.spec.template.spec.containers[0].image, "nginx:1.28");
      assert.equal(deploy.spec.replicas, 2);
      assert.equal((await s.json("get", "-n", ns, "cm", "demo-config")).data.message, "changed");
      assert.equal((await s.json("get", "-n", ns, "widget", "demo-widget")).spec.color, "green");
      await helm("rollback", "demo", "1", "-n", ns);
      deploy = await s.json("get", "-n", ns, "deployment", "demo-web");
      assert.equal(deploy.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.equal((await s.json("get", "-n", ns, "cm", "demo-config")).data.message, "hello");
      assert.equal((await s.json("get", "-n", ns, "widget", "demo-widget")).spec.color, "red");
      const history = JSON.parse(await helm("history", "demo", "-n", ns, "-o", "json"));
      assert.deepEqual(
        history.map((h: { revision: number; status: string }) => `${h.revision}:${h.status}`),
        ["1:superseded", "2:superseded", "3:deployed"],
      );
    });

    it("uninstalls the release", async () => {
      await helm("uninstall", "demo", "-n", ns);
      for (const [kind, name] of [
        ["deployment", "demo-web"],
        ["cm", "demo-config"],
        ["secret", "demo-secret"],
        ["svc", "demo-web"],
        ["widget", "demo-widget"],
      ]) {
        const r = await s.kubectl(["get", "-n", ns, kind!, name!]);
        assert.notEqual(r.code, 0, `${kind} ${name} is still there`);
      }
      assert.deepEqual((await s.json("get", "-n", ns, "secrets", "-l", "owner=helm")).items, []);
      assert.equal(JSON.parse(await helm("list", "-n", ns, "-o", "json")).length, 0);
    });
  });
}
