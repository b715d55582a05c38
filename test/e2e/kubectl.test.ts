/**
 * Issue 3's kubectl flows against the built server, with the pinned kubectl 1.34 and again with
 * 1.32. Assertions read `-o json`, not prose.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { TestServer } from "./lib/server.ts";
import type { KubectlVersion } from "./lib/tools.ts";
import { until } from "./lib/wait.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const names = (list: { items: Array<{ metadata: { name: string } }> }) =>
  list.items.map((i) => i.metadata.name).sort();

const editorDirs: string[] = [];
after(() => {
  for (const dir of editorDirs) rmSync(dir, { recursive: true, force: true });
});

function editor(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), "bosun-editor-"));
  editorDirs.push(dir);
  const path = join(dir, "edit.sh");
  writeFileSync(path, `#!/bin/sh\n${script} "$1"\n`);
  chmodSync(path, 0o755);
  return path;
}

function kubectlSuite(version: KubectlVersion): void {
  describe(`kubectl ${version}`, () => {
    let s: TestServer;
    before(async () => {
      s = await TestServer.start({ kubectl: version });
    });
    after(async () => {
      await s.dispose();
    });

    it("lists API resources with short names and groups", async () => {
      const out = await s.k("api-resources", "--no-headers");
      for (const line of [
        /^pods\s+po\s+v1\s+true\s+Pod$/m,
        /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m,
        /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m,
        /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m,
      ]) {
        assert.match(out, line);
      }
      const version34 = await s.json("version");
      assert.equal(version34.serverVersion.minor, "34");
    });

    it("shows component statuses (kubectl get cs) with upstream's deprecation warning", async () => {
      const r = await s.kubectl(["get", "cs"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
      for (const name of ["scheduler", "controller-manager", "etcd-0"]) {
        assert.match(r.stdout, new RegExp(`^${name}\\s+Healthy\\s+ok`, "m"));
      }
    });

    it("creates a namespace (protobuf body) and objects from a file", async () => {
      await s.k("create", "namespace", "e2e");
      assert.equal((await s.json("get", "namespace", "e2e")).status.phase, "Active");
      await s.k("create", "-n", "e2e", "-f", fixture("app.yaml"));
      const deploy = await s.json("get", "-n", "e2e", "deployment", "web");
      assert.equal(deploy.spec.replicas, 2);
      assert.equal(deploy.metadata.generation, 1);
      assert.equal(deploy.spec.strategy.type, "RollingUpdate");
      const svc = await s.json("get", "-n", "e2e", "service", "web");
      assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10\d|11[01])\./);
    });

    it("creates with every generator kubectl sends as protobuf", async () => {
      await s.k(
        "create",
        "-n",
        "e2e",
        "secret",
        "generic",
        "gen-secret",
        "--from-literal=password=s3cret",
      );
      await s.k("create", "-n", "e2e", "service", "clusterip", "gen-svc", "--tcp=8080:80");
      await s.k("create", "-n", "e2e", "job", "gen-job", "--image=busybox:1.36", "--", "true");
      await s.k(
        "create",
        "-n",
        "e2e",
        "cronjob",
        "gen-cron",
        "--image=busybox:1.36",
        "--schedule=*/10 * * * *",
        "--",
        "true",
      );
      await s.k(
        "create",
        "-n",
        "e2e",
        "deployment",
        "gen-deploy",
        "--image=nginx:1.27",
        "--replicas=2",
      );
      const secret = await s.json("get", "-n", "e2e", "secret", "gen-secret");
      assert.equal(Buffer.from(secret.data.password, "base64").toString(), "s3cret");
      assert.equal(secret.type, "Opaque");
      const svc = await s.json("get", "-n", "e2e", "service", "gen-svc");
      assert.equal(svc.spec.ports[0].port, 8080);
      assert.equal(svc.spec.ports[0].targetPort, 80);
      const job = await s.json("get", "-n", "e2e", "job", "gen-job");
      assert.equal(job.spec.template.spec.restartPolicy, "Never");
      assert.equal(
        job.spec.selector.matchLabels["batch.kubernetes.io/controller-uid"],
        job.metadata.uid,
      );
      assert.equal(
        (await s.json("get", "-n", "e2e", "cronjob", "gen-cron")).spec.schedule,
        "*/10 * * * *",
      );
      assert.equal((await s.json("get", "-n", "e2e", "deployment", "gen-deploy")).spec.replicas, 2);
      for (const [kind, name] of [
        ["secret", "gen-secret"],
        ["service", "gen-svc"],
        ["job", "gen-job"],
        ["cronjob", "gen-cron"],
        ["deployment", "gen-deploy"],
      ]) {
        await s.k("delete", "-n", "e2e", kind!, name!);
      }
    });

    it("applies twice with a change in between (three-way strategic merge)", async () => {
      await s.k("apply", "-n", "e2e", "-f", fixture("app.yaml"));
      await s.k("label", "-n", "e2e", "deployment", "web", "touched-by=someone-else");
      await s.k("apply", "-n", "e2e", "-f", fixture("app-v2.yaml"));
      const deploy = await s.json("get", "-n", "e2e", "deployment", "web");
      assert.equal(deploy.spec.replicas, 3);
      const containers = deploy.spec.template.spec.containers;
      assert.deepEqual(
        containers.map((c: { name: string }) => c.name),
        ["main"],
      );
      assert.equal(containers[0].image, "nginx:1.28");
      assert.deepEqual(containers[0].env, [
        { name: "B", value: "2" },
        { name: "C", value: "3" },
      ]);
      assert.equal(deploy.metadata.labels["touched-by"], "someone-else");
      // create, then two applies: Deployments count annotation changes as generations too.
      assert.equal(deploy.metadata.generation, 3);
      assert.equal((await s.json("get", "-n", "e2e", "cm", "app-config")).data.mode, "green");
      assert.equal((await s.json("get", "-n", "e2e", "svc", "web")).spec.ports[0].targetPort, 8080);
      const unchanged = await s.k("apply", "-n", "e2e", "-f", fixture("app-v2.yaml"));
      assert.match(unchanged, /deployment.apps\/web unchanged/);
    });

    it("gets in every output format, with selectors and across namespaces", async () => {
      const wide = await s.k("get", "-n", "e2e", "deployments", "-o", "wide");
      assert.match(
        wide,
        /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m,
      );
      assert.match(wide, /^web\s+\d+\/3\s+\d+\s+\d+\s+\S+\s+main\s+nginx:1.28\s+app=web$/m);
      const yaml = parseYaml(await s.k("get", "-n", "e2e", "cm", "app-config", "-o", "yaml"));
      assert.equal(yaml.data.mode, "green");
      assert.equal(
        await s.k("get", "-n", "e2e", "cm", "app-config", "-o", "jsonpath={.data.mode}"),
        "green",
      );
      await s.k("create", "-n", "e2e", "configmap", "other", "--from-literal=x=y");
      assert.deepEqual(names(await s.json("get", "-n", "e2e", "cm", "-l", "app=web")), [
        "app-config",
      ]);
      assert.deepEqual(
        names(await s.json("get", "-n", "e2e", "cm", "--field-selector", "metadata.name=other")),
        ["other"],
      );
      const all = await s.json("get", "configmaps", "-A");
      assert.ok(
        all.items.some((i: { metadata: { namespace: string } }) => i.metadata.namespace === "e2e"),
      );
      const table = await s.k("get", "svc", "-A");
      assert.match(
        table,
        /^default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+/m,
      );
    });

    it("watches with -w and sees a new object", async () => {
      const watch = s.kubectl([
        "get",
        "-n",
        "e2e",
        "configmaps",
        "-w",
        "--output-watch-events",
        "-o",
        "json",
        "--request-timeout=5s",
      ]);
      await new Promise((r) => setTimeout(r, 700));
      await s.k("create", "-n", "e2e", "configmap", "watched", "--from-literal=a=b");
      const result = await watch;
      assert.match(result.stdout, /"type":\s*"ADDED"[\s\S]*"name":\s*"watched"/);
    });

    it("describes every kind", async () => {
      await s.k("apply", "-f", fixture("all-kinds.yaml"));
      const targets = [
        ["namespace", "kinds"],
        ["node", "node-a"],
        ["pod", "pod-a"],
        ["service", "svc-a"],
        ["endpoints", "svc-ext"],
        ["configmap", "cm-a"],
        ["secret", "secret-a"],
        ["serviceaccount", "sa-a"],
        ["event", "pod-a.1"],
        ["persistentvolume", "pv-a"],
        ["persistentvolumeclaim", "pvc-a"],
        ["deployment", "deploy-a"],
        ["replicaset", "rs-a"],
        ["statefulset", "sts-a"],
        ["daemonset", "ds-a"],
        ["controllerrevision", "rev-a"],
        ["job", "job-a"],
        ["cronjob", "cron-a"],
        ["ingress", "ing-a"],
        ["ingressclass", "class-a"],
        ["endpointslice", "svc-ext-abcde"],
        ["lease", "lease-a"],
        ["storageclass", "local"],
        ["events.v1.events.k8s.io", "pod-a.2"],
      ];
      for (const [kind, name] of targets) {
        const r = await s.kubectl(["describe", "-n", "kinds", kind!, name!]);
        assert.equal(r.code, 0, `describe ${kind} ${name}: ${r.stderr}`);
        assert.match(
          r.stdout,
          new RegExp(`^Name:\\s+${name!.replace(".", "\\.")}$`, "m"),
          `describe ${kind}`,
        );
      }
      // A pod admitted with the default service account still takes metadata updates.
      await s.k("label", "-n", "kinds", "pod", "pod-a", "described=yes");
      const uid = (await s.json("get", "-n", "kinds", "pod", "pod-a")).metadata.uid;
      const event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "pod-a.uid", namespace: "kinds" },
        involvedObject: { kind: "Pod", name: "pod-a", namespace: "kinds", uid },
        reason: "Scheduled",
        message: "an event for describe",
        type: "Normal",
        source: { component: "e2e" },
        firstTimestamp: "2026-01-01T00:00:00Z",
        lastTimestamp: "2026-01-01T00:00:00Z",
        count: 1,
      };
      const created = await s.kubectl(["create", "-f", "-"], { input: JSON.stringify(event) });
      assert.equal(created.code, 0, created.stderr);
      const pod = await s.k("describe", "-n", "kinds", "pod", "pod-a");
      assert.match(pod, /Normal\s+Scheduled\s+.*an event for describe/);
    });

    it("edits with a scripted editor", async () => {
      const env = { KUBE_EDITOR: editor("sed -i 's/mode: green/mode: purple/'") };
      const r = await s.kubectl(["edit", "-n", "e2e", "configmap", "app-config"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await s.json("get", "-n", "e2e", "cm", "app-config")).data.mode, "purple");
    });

    it("labels, annotates and patches with all three patch types", async () => {
      await s.k("label", "-n", "e2e", "cm", "other", "tier=backend");
      await s.k("annotate", "-n", "e2e", "cm", "other", "note=hello");
      await s.k(
        "patch",
        "-n",
        "e2e",
        "cm",
        "other",
        "--type",
        "merge",
        "-p",
        '{"data":{"merged":"yes"}}',
      );
      await s.k(
        "patch",
        "-n",
        "e2e",
        "cm",
        "other",
        "--type",
        "json",
        "-p",
        '[{"op":"add","path":"/data/json","value":"yes"}]',
      );
      await s.k(
        "patch",
        "-n",
        "e2e",
        "deployment",
        "web",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.29"}]}}}}',
      );
      const cm = await s.json("get", "-n", "e2e", "cm", "other");
      assert.equal(cm.metadata.labels.tier, "backend");
      assert.equal(cm.metadata.annotations.note, "hello");
      assert.deepEqual(cm.data, { x: "y", merged: "yes", json: "yes" });
      const deploy = await s.json("get", "-n", "e2e", "deployment", "web");
      assert.equal(deploy.spec.template.spec.containers[0].image, "nginx:1.29");
      assert.equal(deploy.spec.template.spec.containers[0].env.length, 2);
      await s.k("label", "-n", "e2e", "cm", "other", "tier-");
      assert.equal(
        (await s.json("get", "-n", "e2e", "cm", "other")).metadata.labels?.tier,
        undefined,
      );
    });

    it("scales through the scale subresource", async () => {
      await s.k("scale", "-n", "e2e", "deployment", "web", "--replicas=5");
      assert.equal((await s.json("get", "-n", "e2e", "deployment", "web")).spec.replicas, 5);
      await s.k("scale", "-n", "e2e", "deployment", "web", "--current-replicas=5", "--replicas=1");
      assert.equal((await s.json("get", "-n", "e2e", "deployment", "web")).spec.replicas, 1);
    });

    it("applies a v1 List with client-side validation (OpenAPI v2 as protobuf)", async () => {
      const out = await s.k("apply", "-n", "e2e", "-f", fixture("list.yaml"));
      assert.match(out, /configmap\/listed-config created/);
      assert.match(out, /deployment.apps\/listed-web created/);
      assert.equal((await s.json("get", "-n", "e2e", "cm", "listed-config")).data.mode, "blue");
      const bad = await s.kubectl(["apply", "-n", "e2e", "-f", "-"], {
        input: readFileSync(fixture("list.yaml"), "utf8").replace("replicas:", "replicaz:"),
      });
      assert.notEqual(bad.code, 0);
      assert.match(
        bad.stderr,
        /ValidationError\(Deployment.spec\): unknown field "replicaz" in io.k8s.api.apps.v1.DeploymentSpec/,
      );
      const v2 = await s.k("explain", "deployment.spec.replicas", "--output=plaintext-openapiv2");
      assert.match(v2, /FIELD:\s+replicas <integer>/);
      await s.k("delete", "-n", "e2e", "-f", fixture("list.yaml"));
    });

    it("runs ReplicationControllers and PodTemplates; RuntimeClasses shape the pods that name them", async () => {
      const rc = `rc-${version.replace(".", "")}`;
      const apply = (o: object) =>
        s.kubectl(["apply", "-n", "e2e", "-f", "-"], { input: JSON.stringify(o) });
      const template = {
        metadata: { labels: { app: rc } },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      };
      const created = await apply({
        apiVersion: "v1",
        kind: "ReplicationController",
        metadata: { name: rc },
        spec: { replicas: 2, template },
      });
      assert.equal(created.code, 0, created.stderr);
      const count = async () =>
        (await s.json("get", "-n", "e2e", "pods", "-l", `app=${rc}`)).items.length;
      await until(`${rc}'s 2 pods`, async () => (await count()) === 2);
      await s.k("scale", "-n", "e2e", "rc", rc, "--replicas=3");
      await until(`${rc}'s 3 pods`, async () => (await count()) === 3);
      assert.match(
        await s.k("get", "-n", "e2e", "rc", rc, "--no-headers"),
        new RegExp(`^${rc}\\s+3\\s+3\\s+0\\s`),
      );
      await s.k("delete", "-n", "e2e", "rc", rc);
      await until(`${rc}'s pods to go`, async () => (await count()) === 0);

      const tpl = `tpl-${version.replace(".", "")}`;
      assert.equal(
        (await apply({ apiVersion: "v1", kind: "PodTemplate", metadata: { name: tpl }, template }))
          .code,
        0,
      );
      assert.match(
        await s.k("get", "-n", "e2e", "podtemplates", tpl, "--no-headers"),
        new RegExp(`^${tpl}\\s+c\\s+nginx\\s+app=${rc}`),
      );
      await s.k("delete", "-n", "e2e", "podtemplate", tpl);

      const rtc = `rtc-${version.replace(".", "")}`;
      const cls = await apply({
        apiVersion: "node.k8s.io/v1",
        kind: "RuntimeClass",
        metadata: { name: rtc },
        handler: "runc",
        overhead: { podFixed: { cpu: "250m" } },
        scheduling: { nodeSelector: { sandbox: "yes" } },
      });
      assert.equal(cls.code, 0, cls.stderr);
      assert.match(
        await s.k("get", "runtimeclass", rtc, "--no-headers"),
        new RegExp(`^${rtc}\\s+runc\\s`),
      );
      const pod = (name: string, runtimeClassName: string) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: { runtimeClassName, containers: [{ name: "c", image: "nginx" }] },
      });
      const missing = await apply(pod(`${rtc}-none`, "no-such-class"));
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /pod rejected: RuntimeClass "no-such-class" not found/);
      const shaped = await until(
        "the class in the admission cache",
        async () => (await apply(pod(`${rtc}-pod`, rtc))).code === 0,
      );
      assert.ok(shaped);
      const got = await s.json("get", "-n", "e2e", "pod", `${rtc}-pod`);
      assert.deepEqual(got.spec.overhead, { cpu: "250m" });
      assert.deepEqual(got.spec.nodeSelector, { sandbox: "yes" });
      await s.k("delete", "-n", "e2e", "pod", `${rtc}-pod`);
      await s.k("delete", "runtimeclass", rtc);
    });

    it("stores CSI drivers with upstream's defaults, and refuses a bad one", async () => {
      const name = `csi-${version.replace(".", "")}.example.com`;
      const driver = (spec: object) =>
        s.kubectl(["apply", "-f", "-"], {
          input: JSON.stringify({
            apiVersion: "storage.k8s.io/v1",
            kind: "CSIDriver",
            metadata: { name },
            spec,
          }),
        });
      const created = await driver({});
      assert.equal(created.code, 0, created.stderr);
      const stored = await s.json("get", "csidriver", name);
      assert.equal(stored.spec.attachRequired, true);
      assert.deepEqual(stored.spec.volumeLifecycleModes, ["Persistent"]);
      assert.match(
        await s.k("get", "csidrivers", name, "--no-headers"),
        new RegExp(`^${name.replaceAll(".", "\\.")}\\s+true\\s+false\\s+false`),
      );
      const changed = await driver({ attachRequired: false });
      assert.notEqual(changed.code, 0);
      assert.match(changed.stderr, /field is immutable/);
      await s.k("delete", "csidriver", name);
    });

    it("stores NetworkPolicies (applied, listed, described; not enforced)", async () => {
      const policy = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: `db-${version}` },
        spec: {
          podSelector: { matchLabels: { app: "db" } },
          ingress: [
            { from: [{ podSelector: { matchLabels: { role: "api" } } }], ports: [{ port: 5432 }] },
          ],
        },
      };
      await s.kubectl(["apply", "-n", "e2e", "-f", "-"], { input: JSON.stringify(policy) });
      assert.match(await s.k("get", "-n", "e2e", "netpol", policy.metadata.name), /\sapp=db\s/);
      const described = await s.k("describe", "-n", "e2e", "netpol", policy.metadata.name);
      assert.match(described, /To Port: 5432\/TCP/);
      assert.match(described, /Policy Types: Ingress/);
      await s.k("delete", "-n", "e2e", "netpol", policy.metadata.name);
    });

    // kubectl 1.32 autoscales through autoscaling/v1, 1.34 through v2: one object, both versions.
    it("autoscales: kubectl autoscale stores one HorizontalPodAutoscaler, read through v1 and v2", async () => {
      const name = `auto-${version}`;
      const quoted = name.replace(".", "\\.");
      await s.k("create", "deployment", "-n", "e2e", name, "--image=nginx");
      await s.k(
        "autoscale",
        "-n",
        "e2e",
        "deployment",
        name,
        "--min=2",
        "--max=4",
        "--cpu-percent=70",
      );
      const row = (await s.k("get", "-n", "e2e", "hpa", name)).split("\n")[1] ?? "";
      assert.match(
        row,
        new RegExp(`^${quoted}\\s+Deployment/${quoted}\\s+cpu: <unknown>/70%\\s+2\\s+4\\s`),
      );
      const v1 = await s.json("get", "-n", "e2e", "horizontalpodautoscalers.v1.autoscaling", name);
      assert.equal(v1.apiVersion, "autoscaling/v1");
      assert.equal(v1.spec.targetCPUUtilizationPercentage, 70);
      const v2 = await s.json("get", "-n", "e2e", "horizontalpodautoscalers.v2.autoscaling", name);
      assert.deepEqual(v2.spec.metrics, [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ]);
      await s.k("delete", "-n", "e2e", "hpa", name);
      await s.k("delete", "-n", "e2e", "deployment", name);
    });

    it("explains fields from the OpenAPI documents", async () => {
      const out = await s.k("explain", "pods.spec.containers");
      assert.match(out, /KIND:\s+Pod/);
      assert.match(out, /FIELDS:/);
      assert.match(out, /image\s+<string>/);
    });

    it("waits for a jsonpath condition", async () => {
      setTimeout(
        () =>
          void s.k(
            "patch",
            "-n",
            "e2e",
            "cm",
            "other",
            "--type",
            "merge",
            "-p",
            '{"data":{"ready":"true"}}',
          ),
        500,
      );
      const r = await s.kubectl([
        "wait",
        "-n",
        "e2e",
        "cm/other",
        "--for=jsonpath={.data.ready}=true",
        "--timeout=20s",
      ]);
      assert.equal(r.code, 0, r.stderr);
    });

    it("deletes by name, by label and with --all", async () => {
      await s.k("create", "-n", "e2e", "configmap", "l1", "--from-literal=a=b");
      await s.k("label", "-n", "e2e", "cm", "l1", "drop=yes");
      await s.k("delete", "-n", "e2e", "configmap", "watched");
      await s.k("delete", "-n", "e2e", "configmap", "-l", "drop=yes");
      // kube-root-ca.crt belongs to the root-CA publisher, which puts it back after --all.
      const userMaps = async () =>
        names(await s.json("get", "-n", "e2e", "cm")).filter(
          (n: string) => n !== "kube-root-ca.crt",
        );
      assert.deepEqual(await userMaps(), ["app-config", "other"]);
      await s.k("delete", "-n", "e2e", "configmaps", "--all");
      assert.deepEqual(await userMaps(), []);
      const deleted = await s.kubectl(["delete", "namespace", "e2e", "--timeout=60s"]);
      if (deleted.code !== 0) {
        const status = await s.kubectl(["get", "namespace", "e2e", "-o", "jsonpath={.status}"]);
        assert.fail(`namespace e2e not deleted: ${deleted.stderr}\n${status.stdout}`);
      }
      const gone = await s.kubectl(["get", "namespace", "e2e"]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /namespaces "e2e" not found/);
    });
  });
}

kubectlSuite("1.34");
kubectlSuite("1.32");
