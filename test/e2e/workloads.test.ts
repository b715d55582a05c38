/**
 * Issue 6's workload controllers end to end: one `bosun server`, three simulated nodes (one
 * `bosun simulate nodes` process) and the pinned kubectl. Deployments (create, rolling update,
 * rollout status/history/undo/restart/pause/resume, scale), delete with each cascade mode,
 * what `kubectl describe` shows, a StatefulSet scaled up and down in order (with local-path
 * claims kept across scale-down), a DaemonSet on every
 * node including one that joins later, Jobs, a CronJob firing, and a namespace deletion.
 * Assertions read `-o json`, except where the text (describe, rollout) is what is under test.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "./lib/api.ts";
import { SimulatedNode, SimulatedNodeGroup, waitForReadyNodes } from "./lib/nodes.ts";
import { TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

type Obj = Record<string, any>;
type List = { items: Obj[] };

/** Polls `fn` until it returns a truthy value (returned), failing after `ms`. */

/** `kubectl apply -f -` of an object, failing with kubectl's stderr. */
async function apply(s: TestServer, namespace: string, o: Obj): Promise<void> {
  const r = await s.kubectl(["apply", "-n", namespace, "-f", "-"], { input: JSON.stringify(o) });
  assert.equal(r.code, 0, `kubectl apply: ${r.stderr}`);
}

const names = (list: List) => list.items.map((i) => i.metadata.name as string).sort();
const running = (pods: List) =>
  pods.items.filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp);

describe("workload controllers", () => {
  let s: TestServer;
  let api: ApiClient;
  let nodes: SimulatedNodeGroup;
  let late: SimulatedNode | undefined;
  const ns = ["-n", "wl"];
  const pods = (selector: string) => s.json<List>("get", ...ns, "pods", "-l", selector);

  before(async () => {
    s = await TestServer.start();
    api = new ApiClient(s.dataDir, s.port);
    nodes = SimulatedNodeGroup.start(s, 3);
    await waitForReadyNodes(s, nodes.names);
    await s.k("create", "namespace", "wl");
    await until("default service account", () => s.json("get", ...ns, "serviceaccount", "default"));
  });
  after(async () => {
    await late?.kill();
    await nodes?.stop();
    await s?.dispose();
  });

  describe("Deployment", () => {
    const rsOf = async (deploy: string) =>
      (await s.json<List>("get", ...ns, "replicasets", "-l", `app=${deploy}`)).items;
    const revision = (o: Obj) => o.metadata.annotations?.["deployment.kubernetes.io/revision"];
    const rollout = (...args: string[]) =>
      s.k("rollout", ...args, ...ns, "deployment/web", "--timeout=60s");

    it("create deployment → pods Running on the simulated nodes", async () => {
      await s.k("create", "deployment", "web", ...ns, "--image=nginx:1.25", "--replicas=3");
      assert.match(await rollout("status"), /deployment "web" successfully rolled out/);
      const list = running(await pods("app=web"));
      assert.equal(list.length, 3);
      for (const p of list) {
        assert.ok(nodes.names.includes(p.spec.nodeName), p.spec.nodeName);
        assert.match(p.status.podIP, /^\d+\.\d+\.\d+\.\d+$/);
        assert.equal(p.status.containerStatuses[0].ready, true);
      }
      const d = await s.json("get", ...ns, "deployment", "web");
      assert.equal(d.status.availableReplicas, 3);
      const available = d.status.conditions.find((c: Obj) => c.type === "Available");
      assert.equal(available.status, "True");
      assert.equal(available.reason, "MinimumReplicasAvailable");
      const progressing = d.status.conditions.find((c: Obj) => c.type === "Progressing");
      assert.equal(progressing.reason, "NewReplicaSetAvailable");
    });

    it("kubectl describe shows the events upstream shows", async () => {
      const [rs] = await rsOf("web");
      const rsName = rs!.metadata.name as string;
      const deployment = await s.k("describe", ...ns, "deployment", "web");
      assert.match(
        deployment,
        new RegExp(
          `Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${rsName} from 0 to 3`,
        ),
      );
      assert.match(
        deployment,
        new RegExp(`NewReplicaSet:\\s+${rsName} \\(3/3 replicas created\\)`),
      );
      const replicaSet = await s.k("describe", ...ns, "replicaset", rsName);
      const created = replicaSet.match(
        /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-/g,
      );
      assert.equal(created?.length, 3);
      const [pod] = running(await pods("app=web"));
      const podText = await s.k("describe", ...ns, "pod", pod!.metadata.name);
      assert.match(
        podText,
        new RegExp(
          `Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned wl/${pod!.metadata.name} to ${pod!.spec.nodeName}`,
        ),
      );
      // Events are recorded in batches: wait for the node controller's, then check them all.
      const node = await until("the node's events", async () => {
        const text = await s.k("describe", "node", pod!.spec.nodeName);
        return /RegisteredNode/.test(text) && /NodeReady/.test(text) && text;
      });
      assert.match(
        node,
        /Normal\s+RegisteredNode\s+\S+\s+node-controller\s+Node sim-\d event: Registered Node sim-\d in Controller/,
      );
      assert.match(node, /Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\./);
      for (const reason of ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeReady"]) {
        assert.match(
          node,
          new RegExp(
            `Normal\\s+${reason}\\s+\\S+\\s+kubelet\\s+Node sim-\\d status is now: ${reason}`,
          ),
        );
      }
    });

    it("set image → rolling update; rollout status completes; history lists revisions", async () => {
      await s.k("set", "image", ...ns, "deployment/web", "nginx=nginx:1.26");
      assert.match(await rollout("status"), /successfully rolled out/);
      const sets = await rsOf("web");
      assert.equal(sets.length, 2);
      const current = sets.find((r) => r.spec.replicas === 3)!;
      const old = sets.find((r) => r.spec.replicas === 0)!;
      assert.equal(current.spec.template.spec.containers[0].image, "nginx:1.26");
      assert.equal(revision(current), "2");
      assert.equal(revision(old), "1");
      await until("old pods gone", async () => {
        const list = running(await pods("app=web"));
        return (
          list.length === 3 &&
          list.every((p) => p.spec.containers[0].image === "nginx:1.26") &&
          (await pods("app=web")).items.length === 3
        );
      });
      const history = await s.k("rollout", "history", ...ns, "deployment/web");
      assert.match(history, /^1\s+<none>$/m);
      assert.match(history, /^2\s+<none>$/m);
      const events = await s.k("describe", ...ns, "deployment", "web");
      assert.match(
        events,
        new RegExp(`Scaled up replica set ${current.metadata.name} from 0 to 1`),
      );
      assert.match(events, new RegExp(`Scaled down replica set ${old.metadata.name} from 3 to`));
    });

    it("rollout undo restores the previous template (its ReplicaSet, as revision 3)", async () => {
      const before = await rsOf("web");
      const original = before.find((r) => revision(r) === "1")!;
      await s.k("rollout", "undo", ...ns, "deployment/web");
      assert.match(await rollout("status"), /successfully rolled out/);
      const d = await s.json("get", ...ns, "deployment", "web");
      assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.25");
      assert.equal(revision(d), "3");
      const after = await rsOf("web");
      assert.equal(after.length, 2, "undo reuses the old ReplicaSet");
      const restored = after.find((r) => r.metadata.name === original.metadata.name)!;
      assert.equal(restored.spec.replicas, 3);
      assert.equal(revision(restored), "3");
      const history = await s.k("rollout", "history", ...ns, "deployment/web");
      assert.doesNotMatch(history, /^1\s/m);
      assert.match(history, /^3\s+<none>$/m);
    });

    it("rollout restart rolls every pod with a restartedAt annotation", async () => {
      const old = new Set(names(await pods("app=web")));
      await s.k("rollout", "restart", ...ns, "deployment/web");
      assert.match(await rollout("status"), /successfully rolled out/);
      const d = await s.json("get", ...ns, "deployment", "web");
      assert.ok(d.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]);
      const list = await until("old pods replaced", async () => {
        const l = await pods("app=web");
        return l.items.length === 3 && running(l).length === 3 && l;
      });
      assert.ok(list.items.every((p) => !old.has(p.metadata.name)));
    });

    it("pause holds a new template back; resume rolls it out", async () => {
      await s.k("rollout", "pause", ...ns, "deployment/web");
      await s.k("set", "image", ...ns, "deployment/web", "nginx=nginx:1.27");
      const paused = await until("Progressing=DeploymentPaused", async () => {
        const d = await s.json("get", ...ns, "deployment", "web");
        const c = d.status.conditions.find((x: Obj) => x.type === "Progressing");
        return c?.reason === "DeploymentPaused" && d;
      });
      assert.equal(paused.status.observedGeneration, paused.metadata.generation);
      assert.ok(
        (await rsOf("web")).every((r) => r.spec.template.spec.containers[0].image !== "nginx:1.27"),
      );
      await s.k("rollout", "resume", ...ns, "deployment/web");
      assert.match(await rollout("status"), /successfully rolled out/);
      const current = (await rsOf("web")).find((r) => r.spec.replicas === 3)!;
      assert.equal(current.spec.template.spec.containers[0].image, "nginx:1.27");
    });

    it("scale up and down", async () => {
      await s.k("scale", ...ns, "deployment/web", "--replicas=5");
      await until("5 available", async () => {
        const d = await s.json("get", ...ns, "deployment", "web");
        return d.status.availableReplicas === 5 && running(await pods("app=web")).length === 5;
      });
      await s.k("scale", ...ns, "deployment/web", "--replicas=2");
      await until("2 pods", async () => (await pods("app=web")).items.length === 2);
      const d = await s.json("get", ...ns, "deployment", "web");
      assert.equal(d.spec.replicas, 2);
      const scale = await s.json("get", ...ns, "deployment", "web", "--subresource=scale");
      assert.equal(scale.kind, "Scale");
      assert.equal(scale.spec.replicas, 2);
    });

    it("delete (background, the default) removes its ReplicaSets and pods", async () => {
      await s.k("delete", ...ns, "deployment", "web");
      await until("ReplicaSets and pods gone", async () => {
        const [rs, p] = await Promise.all([rsOf("web"), pods("app=web")]);
        return rs.length === 0 && p.items.length === 0;
      });
    });

    it("delete --cascade=orphan keeps the ReplicaSet and pods, released", async () => {
      await s.k("create", "deployment", "orphans", ...ns, "--image=nginx", "--replicas=2");
      await s.k("rollout", "status", ...ns, "deployment/orphans", "--timeout=60s");
      await s.k("delete", ...ns, "deployment", "orphans", "--cascade=orphan");
      const rs = await until("ReplicaSet released", async () => {
        const sets = await rsOf("orphans");
        return sets.length === 1 && !sets[0]!.metadata.ownerReferences?.length && sets[0];
      });
      const list = await pods("app=orphans");
      assert.equal(running(list).length, 2);
      for (const p of list.items) assert.equal(p.metadata.ownerReferences[0].uid, rs.metadata.uid);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await rsOf("orphans")).length, 1, "the orphan is not collected later");
      await s.k("delete", ...ns, "replicaset", rs.metadata.name);
      await until("pods collected", async () => (await pods("app=orphans")).items.length === 0);
    });

    it("delete --cascade=foreground waits for the dependents before the owner goes", async () => {
      await s.k("create", "deployment", "fg", ...ns, "--image=nginx", "--replicas=2");
      await s.k("rollout", "status", ...ns, "deployment/fg", "--timeout=60s");
      const [held] = (await pods("app=fg")).items;
      const hold = (finalizers: string[]) =>
        s.k(
          "patch",
          ...ns,
          "pod",
          held!.metadata.name,
          "--type=merge",
          "-p",
          JSON.stringify({ metadata: { finalizers } }),
        );
      await hold(["e2e.bosun.dev/hold"]);
      await s.k("delete", ...ns, "deployment", "fg", "--cascade=foreground", "--wait=false");
      const d = await until("deployment waiting for its dependents", async () => {
        const x = await s.json("get", ...ns, "deployment", "fg");
        return x.metadata.deletionTimestamp && x;
      });
      assert.deepEqual(d.metadata.finalizers, ["foregroundDeletion"]);
      const [rs] = await until("ReplicaSet deleting in the foreground too", async () => {
        const sets = await rsOf("fg");
        return sets[0]?.metadata.deletionTimestamp && sets;
      });
      assert.deepEqual(rs!.metadata.finalizers, ["foregroundDeletion"]);
      await until("only the held pod left", async () => (await pods("app=fg")).items.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      await s.json("get", ...ns, "deployment", "fg"); // still there
      await hold([]);
      await until("deployment gone", async () => {
        const r = await s.kubectl(["get", ...ns, "deployment", "fg"]);
        return r.code !== 0 && /NotFound/.test(r.stderr);
      });
      assert.equal((await rsOf("fg")).length, 0);
    });
  });

  it("a StatefulSet scales up and down in order with stable names and claims", async () => {
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db" },
      spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 80 }] },
    };
    const statefulSet = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        replicas: 3,
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: {
            containers: [
              { name: "c", image: "nginx", volumeMounts: [{ name: "data", mountPath: "/data" }] },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    };
    const rv = (await s.json("get", ...ns, "pods")).metadata.resourceVersion;
    // Each pod's Added, first Ready, and Deleted, in the order the API saw them.
    const seen: string[] = [];
    const trace = api.watch(
      `/api/v1/namespaces/wl/pods?watch=1&labelSelector=app%3Ddb&resourceVersion=${rv}`,
      (events) => {
        seen.length = 0;
        const ready = new Set<string>();
        for (const e of events) {
          const name = e.object.metadata.name;
          const isReady = e.object.status?.conditions?.some(
            (c: Obj) => c.type === "Ready" && c.status === "True",
          );
          if (e.type === "ADDED") seen.push(`+${name}`);
          if (e.type === "DELETED") seen.push(`-${name}`);
          if (e.type !== "DELETED" && isReady && !ready.has(name)) {
            ready.add(name);
            seen.push(`ready ${name}`);
          }
        }
        return seen.includes("-db-1");
      },
      60_000,
    );
    await apply(s, "wl", service);
    await apply(s, "wl", statefulSet);
    await s.k("rollout", "status", ...ns, "statefulset/db", "--timeout=60s");
    await s.k("scale", ...ns, "statefulset/db", "--replicas=5");
    await s.k("rollout", "status", ...ns, "statefulset/db", "--timeout=60s");
    await until(
      "5 ready",
      async () => (await s.json("get", ...ns, "sts", "db")).status.readyReplicas === 5,
    );
    await s.k("scale", ...ns, "statefulset/db", "--replicas=1");
    await trace;
    const created = seen.filter((e) => e.startsWith("+"));
    assert.deepEqual(created, ["+db-0", "+db-1", "+db-2", "+db-3", "+db-4"]);
    // OrderedReady: each pod is created only once the one before it is Ready.
    for (let i = 1; i < 5; i++) {
      assert.ok(seen.indexOf(`ready db-${i - 1}`) < seen.indexOf(`+db-${i}`), seen.join(", "));
    }
    // Scale-down goes from the highest ordinal, one at a time.
    const deleted = seen.filter((e) => e.startsWith("-"));
    assert.deepEqual(deleted, ["-db-4", "-db-3", "-db-2", "-db-1"]);
    const left = await until("one pod left", async () => {
      const l = await pods("app=db");
      return l.items.length === 1 && l;
    });
    assert.deepEqual(names(left), ["db-0"]);
    const pod = left.items[0]!;
    assert.equal(pod.spec.hostname, "db-0");
    assert.equal(pod.spec.subdomain, "db");
    assert.equal(pod.metadata.labels["statefulset.kubernetes.io/pod-name"], "db-0");
    assert.equal(pod.metadata.labels["apps.kubernetes.io/pod-index"], "0");
    const events = await s.k("describe", ...ns, "statefulset", "db");
    assert.match(
      events,
      /SuccessfulCreate\s+\S+\s+statefulset-controller\s+create Claim data-db-4 Pod db-4 in StatefulSet db success/,
    );
    assert.match(
      events,
      // The tenth similar event is combined, as upstream's recorder does.
      /SuccessfulCreate\s+\S+\s+statefulset-controller\s+\(combined from similar events\): create Pod db-4 in StatefulSet db successful/,
    );
    assert.match(
      events,
      /SuccessfulDelete\s+\S+\s+statefulset-controller\s+delete Pod db-4 in StatefulSet db successful/,
    );

    // Claims: one per ordinal from the local-path class, Bound, and kept on scale-down
    // (whenScaled: Retain); a pod that comes back gets its own claim and volume again.
    const claims = async () =>
      (await s.json<List>("get", ...ns, "pvc", "-l", "app=db")).items.sort((a, b) =>
        a.metadata.name.localeCompare(b.metadata.name),
      );
    const bound = await until("five claims Bound", async () => {
      const c = await claims();
      return c.length === 5 && c.every((x) => x.status.phase === "Bound") && c;
    });
    assert.deepEqual(
      bound.map((c) => c.metadata.name),
      ["data-db-0", "data-db-1", "data-db-2", "data-db-3", "data-db-4"],
    );
    assert.ok(bound.every((c) => c.spec.storageClassName === "local-path"));
    assert.ok(bound.every((c) => !c.metadata.ownerReferences?.length));
    const volumeOf1 = bound[1]!.spec.volumeName;
    await s.k("scale", ...ns, "statefulset/db", "--replicas=2");
    await s.k("rollout", "status", ...ns, "statefulset/db", "--timeout=60s");
    const db1 = await until("db-1 back", async () => {
      const p = await s.json("get", ...ns, "pod", "db-1");
      return p.status.phase === "Running" && p;
    });
    const claim = db1.spec.volumes.find((v: Obj) => v.name === "data").persistentVolumeClaim;
    assert.equal(claim.claimName, "data-db-1");
    assert.equal((await s.json("get", ...ns, "pvc", "data-db-1")).spec.volumeName, volumeOf1);
  });

  it("a DaemonSet runs a pod on every node, including one that joins later", async () => {
    const ds = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: { containers: [{ name: "c", image: "nginx" }] },
        },
      },
    };
    await apply(s, "wl", ds);
    await s.k("rollout", "status", ...ns, "daemonset/agent", "--timeout=60s");
    const placed = async () =>
      running(await pods("app=agent"))
        .map((p) => p.spec.nodeName)
        .sort();
    assert.deepEqual(await placed(), [...nodes.names].sort());
    // The late node stays up until the suite ends (a dead node would keep its pods).
    late = SimulatedNode.start(s, "late-0");
    await waitForReadyNodes(s, ["late-0"]);
    await until("a pod on late-0", async () => (await placed()).includes("late-0"));
    assert.deepEqual(await placed(), [...nodes.names, "late-0"].sort());
    const status = (await s.json("get", ...ns, "daemonset", "agent")).status;
    assert.equal(status.desiredNumberScheduled, 4);
    await until(
      "4 ready",
      async () => (await s.json("get", ...ns, "daemonset", "agent")).status.numberReady === 4,
    );
    await s.k("delete", ...ns, "daemonset", "agent");
    await until("its pods gone", async () => (await pods("app=agent")).items.length === 0);
  });

  describe("Job and CronJob", () => {
    const job = (name: string, spec: Obj, command: string[]) => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name },
      spec: {
        ...spec,
        template: {
          spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command }] },
        },
      },
    });

    it("a Job runs to completion", async () => {
      await apply(
        s,
        "wl",
        job("count", { completions: 3, parallelism: 2 }, ["sh", "-c", "sleep 1"]),
      );
      await s.k("wait", ...ns, "--for=condition=Complete", "job/count", "--timeout=60s");
      const j = await s.json("get", ...ns, "job", "count");
      assert.equal(j.status.succeeded, 3);
      assert.ok(j.status.completionTime);
      const list = await s.json<List>(
        "get",
        ...ns,
        "pods",
        "-l",
        "batch.kubernetes.io/job-name=count",
      );
      assert.equal(list.items.filter((p) => p.status.phase === "Succeeded").length, 3);
      const text = await s.k("describe", ...ns, "job", "count");
      assert.match(text, /Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: count-/);
      assert.match(text, /Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
    });

    it("a Job whose pod fails past backoffLimit fails", async () => {
      await apply(s, "wl", job("fails", { backoffLimit: 0 }, ["sh", "-c", "exit 3"]));
      await s.k("wait", ...ns, "--for=condition=Failed", "job/fails", "--timeout=60s");
      const j = await s.json("get", ...ns, "job", "fails");
      const failed = j.status.conditions.find((c: Obj) => c.type === "Failed");
      assert.equal(failed.reason, "BackoffLimitExceeded");
      assert.equal(failed.message, "Job has reached the specified backoff limit");
      assert.equal(j.status.failed, 1);
    });

    it("a CronJob fires for its most recent missed schedule", async () => {
      // Honest and fast: rather than waiting up to a minute for the next `* * * * *`, tell the
      // controller its last run was three minutes ago (as after a controller outage); upstream
      // then starts a Job for the most recent schedule time at once.
      await s.k(
        "create",
        "cronjob",
        "tick",
        ...ns,
        "--image=busybox",
        "--schedule=* * * * *",
        "--",
        "true",
      );
      const past = new Date(Date.now() - 180_000).toISOString().replace(/\.\d+Z$/, "Z");
      await s.k(
        "patch",
        ...ns,
        "cronjob",
        "tick",
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status: { lastScheduleTime: past } }),
      );
      const fired = await until("a Job from the CronJob", async () => {
        const jobs = await s.json<List>("get", ...ns, "jobs");
        return jobs.items.find((j) => j.metadata.ownerReferences?.[0]?.name === "tick");
      });
      const minute = Math.floor(Date.now() / 60_000);
      const scheduled = Number(fired.metadata.name.replace("tick-", ""));
      assert.ok(scheduled === minute || scheduled === minute - 1, fired.metadata.name);
      assert.equal(fired.metadata.ownerReferences[0].kind, "CronJob");
      assert.equal(fired.metadata.ownerReferences[0].controller, true);
      assert.equal(
        fired.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        new Date(scheduled * 60_000).toISOString().replace(/\.\d+Z$/, "Z"),
      );
      await s.k(
        "wait",
        ...ns,
        "--for=condition=Complete",
        `job/${fired.metadata.name}`,
        "--timeout=60s",
      );
      const cj = await until("lastSuccessfulTime", async () => {
        const c = await s.json("get", ...ns, "cronjob", "tick");
        return c.status.lastSuccessfulTime && c;
      });
      assert.equal(
        cj.status.lastScheduleTime,
        new Date(scheduled * 60_000).toISOString().replace(/\.\d+Z$/, "Z"),
      );
      const text = await s.k("describe", ...ns, "cronjob", "tick");
      assert.match(
        text,
        new RegExp(
          `Normal\\s+SuccessfulCreate\\s+\\S+\\s+cronjob-controller\\s+Created job ${fired.metadata.name}`,
        ),
      );
      assert.match(
        text,
        new RegExp(
          `Normal\\s+SawCompletedJob\\s+\\S+\\s+cronjob-controller\\s+Saw completed job: ${fired.metadata.name}, condition: Complete`,
        ),
      );
      await s.k("delete", ...ns, "cronjob", "tick");
    });
  });

  it("deleting a namespace empties it, then removes it", async () => {
    await s.k("create", "namespace", "doomed");
    const d = ["-n", "doomed"];
    await s.k("create", "deployment", "app", ...d, "--image=nginx", "--replicas=2");
    await s.k("create", "configmap", "cfg", ...d, "--from-literal=a=b");
    await s.k("create", "service", "clusterip", "svc", ...d, "--tcp=80:80");
    await s.k("create", "job", "work", ...d, "--image=busybox", "--", "sleep", "100");
    await s.k("rollout", "status", ...d, "deployment/app", "--timeout=60s");
    const r = await s.kubectl(["delete", "namespace", "doomed", "--timeout=60s"]);
    assert.equal(r.code, 0, r.stderr);
    const gone = await s.kubectl(["get", "namespace", "doomed"]);
    assert.match(gone.stderr, /namespaces "doomed" not found/);
    for (const kind of [
      "pods",
      "deployments",
      "replicasets",
      "jobs",
      "configmaps",
      "services",
      "serviceaccounts",
    ]) {
      const list = await s.json<List>("get", ...d, kind);
      assert.deepEqual(names(list), [], kind);
    }
  });
});
