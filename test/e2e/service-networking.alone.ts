/**
 * Service networking end to end (issue 10's "Done when") on `bosun cluster create --runtime
 * containerd --workers 2`, driven with real kubectl: the seed's example (redis behind a ClusterIP
 * Service, a web front end reading the database's address from a ConfigMap and its password from
 * a Secret) reached from the host through a NodePort and a LoadBalancer on every node, with
 * externalTrafficPolicy Local keeping the client's address, and through a class-less Ingress
 * with TLS on a host name (SNI); a client pod resolving and reaching a ClusterIP Service by name
 * through 10.96.0.10; node-local endpoints answering a node's pods (counted), hairpin; a scaled
 * Deployment answering within a second; a deleted Service's rules gone from every node's table;
 * pods reaching the host with their node's address (masquerade), other pods with their own, and
 * a machine beyond the host through the host's masquerade. Root with containerd only.
 *
 * Named `.alone.ts` (run after the rest of `npm test`, by itself): "within a second" is the
 * proxy's latency, and beside two other e2e clusters on a slow 2-core guest the chain (kubelet
 * status, EndpointSlice controller, proxy) took 1.2-1.6 s, measuring the machine's contention.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate } from "../../src/pki/certificate.ts";
import { buildTestImages } from "../images/build.ts";
import { rootSkip, TestCluster } from "./lib/cluster.ts";
import { echoApp, notOn, PodWatch, remote, service, spreadOverNodes } from "./lib/echo-app.ts";
import { HttpPoller, inNetns, OutsideHost } from "./lib/netns.ts";
import { run } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

type Obj = Record<string, any>;

const skip =
  rootSkip ||
  (existsSync("/usr/bin/containerd") ? false : "needs containerd") ||
  (existsSync("/usr/bin/curl") ? false : "needs curl");

describe("service networking on a containerd cluster", { skip }, () => {
  let c: TestCluster | undefined;
  let images: string;
  let tmp: string;
  let spec: Obj;
  const node = (role: string) => `${c!.name}-${role}`;
  const netns = (role: string) => `bosun-${node(role)}`;
  const nodeIP = (role: string) =>
    (spec.nodes as Obj[]).find((n) => n.name === node(role))!.ip as string;
  const roles = ["master1", "worker1", "worker2"];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "bosun-svcnet-"));
    images = join(tmp, "images");
    mkdirSync(images);
    for (const image of await buildTestImages({ only: ["busybox", "redis"] })) {
      symlinkSync(image.archive, join(images, basename(image.archive)));
    }
    c = await TestCluster.create("svcnet", {
      workers: 2,
      runtime: "containerd",
      args: ["--images", images],
    });
    spec = JSON.parse(readFileSync(join(c.stateDir, c.name, "cluster.json"), "utf8"));
    await c.k(
      "run",
      "client",
      "--image=busybox:1",
      "--restart=Never",
      `--overrides=${JSON.stringify({ spec: { nodeName: node("worker1") } })}`,
      "--",
      "sleep",
      "3600",
    );
  });

  after(async () => {
    await c?.delete();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** `kubectl apply` of these objects (one YAML document each). */
  const apply = async (objects: Obj[]) => {
    const file = join(tmp, "apply.yaml");
    writeFileSync(file, objects.map((o) => JSON.stringify(o)).join("\n---\n"));
    await c!.k("apply", "-f", file);
  };

  /** Runs a shell script in the client pod (on worker1). */
  const inClient = async (script: string) => {
    // Every script here prints something. Under a loaded full test run `kubectl exec` once
    // returned nothing with exit 0 (not reproduced alone, 480 tries): retry, and say so.
    for (let attempt = 1; ; attempt++) {
      const out = await c!.k("exec", "client", "--", "sh", "-c", script);
      if (out !== "" || attempt === 3) return out;
      console.log(`# kubectl exec printed nothing (attempt ${attempt}): ${script}`);
    }
  };
  const runningClient = () =>
    until("the client pod running", async () => {
      const p = await c!.json("get", "pod", "client");
      return p.status.phase === "Running" ? p : undefined;
    });

  it("makes every node Ready only with its pod network: CNI config and routes to other nodes", async () => {
    const nodes = (await c!.json("get", "nodes")).items as Obj[];
    assert.equal(nodes.length, 3);
    for (const n of nodes) {
      const ready = n.status.conditions.find((x: Obj) => x.type === "Ready");
      assert.equal(ready.status, "True", n.metadata.name);
      const dir = (spec.nodes as Obj[]).find((s) => s.name === n.metadata.name)!.dir as string;
      const conflist = join(dir, "data", "agent", "containerd", "net.d", "10-bosun.conflist");
      assert.match(
        readFileSync(conflist, "utf8"),
        new RegExp(n.spec.podCIDR.replaceAll(".", "\\.")),
      );
      const routes = inNetns(`bosun-${n.metadata.name}`, "ip", ["route"]);
      for (const other of nodes.filter((o) => o !== n)) {
        const ip = other.status.addresses.find((a: Obj) => a.type === "InternalIP").address;
        assert.ok(routes.includes(`${other.spec.podCIDR} via ${ip}`), routes);
      }
    }
  });

  it("runs the seed's example: redis with a password from a Secret, a front end configured by a ConfigMap", async () => {
    const manifest = new URL("./fixtures/guestbook-redis.yaml", import.meta.url).pathname;
    await c!.k("apply", "-f", manifest);
    await until(
      "db and front ready",
      async () => {
        const pods = (await c!.json("get", "pods", "-l", "app in (db,front)")).items as Obj[];
        const ready = pods.filter((p) =>
          p.status.conditions?.some((x: Obj) => x.type === "Ready" && x.status === "True"),
        );
        return ready.length === 3;
      },
      120_000,
    );
    const db = (await c!.json("get", "pods", "-l", "app=db")).items[0];
    const noAuth = await c!.k("exec", db.metadata.name, "--", "redis-cli", "ping");
    assert.match(noAuth, /NOAUTH/, "redis requires the Secret's password");
  });

  it("serves the front end through a NodePort on every node's address", async () => {
    const svc = await c!.json("get", "svc", "front");
    const port = svc.spec.ports[0].nodePort as number;
    const hits: number[] = [];
    for (const role of roles) {
      // The first answer may wait for the node's next rule sync.
      const m = await until(`an answer through ${role}`, async () => {
        const url = `http://${nodeIP(role)}:${port}/cgi-bin/index.cgi`;
        const r = await run("curl", ["-s", "-m", "5", url]);
        return /^hits=(\d+) served-by=front-\S+ client=(\S+)$/.exec(r.stdout.trim()) ?? undefined;
      });
      hits.push(Number(m[1]));
      // External traffic is masqueraded: the pod sees its node's address on the way out (the
      // LAN's, or the pod bridge's for a local pod), never the host's.
      const gateways = (await c!.json("get", "nodes")).items.map(
        (n: Obj) => `${n.spec.podCIDR.split(".").slice(0, 3).join(".")}.1`,
      );
      const seen = m[2]!.replace(/^\[::ffff:(.*)\]$/, "$1");
      assert.ok([...roles.map(nodeIP), ...gateways].includes(seen), seen);
    }
    assert.deepEqual(
      hits,
      [...hits].sort((a, b) => a - b),
      "every answer counted one more hit in redis",
    );
    assert.equal(new Set(hits).size, 3);
  });

  it("serves it as a LoadBalancer on every node's address (ServiceLB)", async () => {
    await apply([
      {
        ...service("front-lb", "front"),
        spec: {
          type: "LoadBalancer",
          selector: { app: "front" },
          ports: [{ port: 8081, targetPort: 8080 }],
        },
      },
    ]);
    const ingress = await until("LoadBalancer status", async () => {
      const svc = await c!.json("get", "svc", "front-lb");
      return svc.status?.loadBalancer?.ingress?.length === 3
        ? svc.status.loadBalancer.ingress
        : undefined;
    });
    assert.deepEqual(ingress.map((i: Obj) => i.ip).sort(), roles.map(nodeIP).sort());
    for (const role of roles) {
      await until(`an answer on ${role}:8081`, async () => {
        const r = await run("curl", [
          "-s",
          "-m",
          "5",
          `http://${nodeIP(role)}:8081/cgi-bin/index.cgi`,
        ]);
        return r.stdout.startsWith("hits=") || undefined;
      });
    }
  });

  it("keeps the client's address with externalTrafficPolicy Local, answering only where a pod runs", async () => {
    await apply([
      {
        ...service("front-local", "front"),
        spec: {
          type: "NodePort",
          externalTrafficPolicy: "Local",
          selector: { app: "front" },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      },
    ]);
    const port = (await c!.json("get", "svc", "front-local")).spec.ports[0].nodePort as number;
    const fronts = (await c!.json("get", "pods", "-l", "app=front")).items as Obj[];
    const withPod = roles.filter((r) => fronts.some((p) => p.spec.nodeName === node(r)));
    const without = roles.filter((r) => !withPod.includes(r));
    const get = (role: string) =>
      run("curl", ["-s", "-m", "2", `http://${nodeIP(role)}:${port}/cgi-bin/index.cgi`]);
    for (const role of withPod) {
      const body = await until(`an answer through ${role}`, async () => {
        const r = await get(role);
        return r.stdout.startsWith("hits=") ? r.stdout : undefined;
      });
      assert.match(
        body,
        new RegExp(`client=${remote(spec.lan.hostIP)}$`, "m"),
        "the host's own address",
      );
    }
    for (const role of without) assert.equal((await get(role)).stdout, "", `${role} drops`);
  });

  it("serves it through a class-less Ingress with TLS on a host name (SNI), stamped with IngressClass bosun", async () => {
    const ca = createCA({ commonName: "svcnet-ca" });
    const cert = issueCertificate({
      ca,
      commonName: "shop.example",
      dnsNames: ["shop.example"],
      usages: ["server"],
    });
    writeFileSync(join(tmp, "ca.crt"), ca.certPem);
    writeFileSync(join(tmp, "tls.crt"), cert.certPem);
    writeFileSync(join(tmp, "tls.key"), cert.keyPem);
    await c!.k(
      "create",
      "secret",
      "tls",
      "shop-tls",
      "--cert",
      join(tmp, "tls.crt"),
      "--key",
      join(tmp, "tls.key"),
    );
    const ingress = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "shop" },
      spec: {
        tls: [{ hosts: ["shop.example"], secretName: "shop-tls" }],
        rules: [
          {
            host: "shop.example",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "front", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    };
    await apply([ingress]);
    assert.equal((await c!.json("get", "ingress", "shop")).spec.ingressClassName, "bosun");
    for (const role of roles) {
      const body = await until(`HTTPS through ${role}`, async () => {
        const r = await run("curl", [
          "-s",
          "-m",
          "5",
          "--cacert",
          join(tmp, "ca.crt"),
          "--resolve",
          `shop.example:443:${nodeIP(role)}`,
          "https://shop.example/cgi-bin/index.cgi",
        ]);
        return r.code === 0 && r.stdout.startsWith("hits=") ? r.stdout : undefined;
      });
      assert.match(body, /^hits=\d+ served-by=front-/);
    }
    // Dialed by address (no SNI, no host rule): the default certificate and a 404.
    const bare = await run("curl", [
      "-sk",
      "-m",
      "5",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `https://${nodeIP("worker1")}/`,
    ]);
    assert.equal(bare.stdout, "404");
    const status = await until("Ingress status", async () => {
      const ing = await c!.json("get", "ingress", "shop");
      return ing.status?.loadBalancer?.ingress?.length === 3
        ? ing.status.loadBalancer.ingress
        : undefined;
    });
    assert.deepEqual(status.map((s: Obj) => s.ip).sort(), roles.map(nodeIP).sort());
  });

  it("a client pod resolves and reaches a ClusterIP Service by DNS name through 10.96.0.10", async () => {
    await runningClient();
    assert.match(await inClient("cat /etc/resolv.conf"), /^nameserver 10\.96\.0\.10$/m);
    const ip = (await c!.json("get", "svc", "front")).spec.clusterIP as string;
    const looked = await inClient("nslookup front.default.svc.cluster.local 10.96.0.10");
    assert.ok(looked.includes(`Address: ${ip}`), looked);
    const body = await inClient(
      "printf 'GET /cgi-bin/index.cgi HTTP/1.0\\r\\n\\r\\n' | nc -w 5 front 80 | tail -n 1",
    );
    const client = (await c!.json("get", "pod", "client")).status.podIP;
    assert.match(
      body,
      new RegExp(`^hits=\\d+ served-by=front-\\S+ client=${remote(client)}$`, "m"),
    );
  });

  it("answers a node's pods from that node's endpoints only (counted), others from all", async () => {
    // who-spread selects the same pods, opting out of the node-local preference.
    await apply([
      ...echoApp("who", { replicas: 3, affinity: spreadOverNodes("who") }),
      service("who-spread", "who", { "bosun.dev/traffic-distribution": "Cluster" }),
    ]);
    const pods = await until("three who pods ready on three nodes", async () => {
      const list = (await c!.json("get", "pods", "-l", "app=who")).items as Obj[];
      const ready = list.filter((p) =>
        p.status.conditions?.some((x: Obj) => x.type === "Ready" && x.status === "True"),
      );
      return ready.length === 3 && new Set(ready.map((p) => p.spec.nodeName)).size === 3
        ? ready
        : undefined;
    });
    const local = pods.find((p) => p.spec.nodeName === node("worker1"))!.metadata.name;
    // Every node's pods resolve through 10.96.0.10 (each node answers behind kube-dns).
    const whoIP = (await c!.json("get", "svc", "who")).spec.clusterIP as string;
    for (const p of pods) {
      const out = await c!.k(
        "exec",
        p.metadata.name,
        "--",
        "nslookup",
        "who.default.svc.cluster.local",
      );
      assert.ok(out.includes(`Address: ${whoIP}`), `${p.spec.nodeName}: ${out}`);
    }
    const count = async (svc: string) => {
      const out = await inClient(
        `for i in $(seq 30); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${svc} 80 | tail -n 1; done`,
      );
      const counts: Record<string, number> = {};
      for (const name of out.split("\n").filter(Boolean)) counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    };
    await until("who-spread endpoints", async () => {
      const eps = await c!.json(
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=who-spread",
      );
      return eps.items[0]?.endpoints?.length === 3;
    });
    assert.deepEqual(await count("who"), { [local]: 30 });
    const spread = await count("who-spread");
    assert.ok(Object.keys(spread).length >= 2, `opted out, spread: ${JSON.stringify(spread)}`);
    // Hairpin: the local endpoint reaching itself through its own Service.
    const self = await c!.k(
      "exec",
      local,
      "--",
      "sh",
      "-c",
      "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 who 80 | tail -n 1",
    );
    assert.equal(self.trim(), local);
  });

  it("a scaled Deployment changes which pods answer within a second", async () => {
    await apply(echoApp("far", { replicas: 1, affinity: notOn(node("worker1")) }));
    const watch = new PodWatch(c!.kubeconfig, "app=far");
    const ip = (await c!.json("get", "svc", "far")).spec.clusterIP as string;
    const poller = new HttpPoller(netns("worker1"), `http://${ip}/`);
    try {
      const first = await until("one far pod answering", async () => {
        const p = (await c!.json("get", "pods", "-l", "app=far")).items as Obj[];
        const name = p[0]?.metadata.name as string | undefined;
        return name && poller.firstAnswer(name) ? name : undefined;
      });
      await c!.k("scale", "deployment", "far", "--replicas=3");
      const added = await until("two more far pods ready and answering", async () => {
        const names = [...watch.readyAt.keys()].filter((n) => n !== first);
        return names.length === 2 && names.every((n) => poller.firstAnswer(n)) ? names : undefined;
      });
      const upLags = added.map(
        (n) => poller.firstAnswer(n, watch.readyAt.get(n))! - watch.readyAt.get(n)!,
      );
      await c!.k("scale", "deployment", "far", "--replicas=1");
      const gone = await until("two far pods deleting and no longer answering", async () => {
        const names = [...watch.deletingAt.keys()];
        const quiet = (n: string) => Date.now() - (poller.lastAnswer(n) ?? 0) > 1500;
        return names.length === 2 && names.every(quiet) ? names : undefined;
      });
      const downLags = gone.map(
        (n) => (poller.lastAnswer(n) ?? watch.deletingAt.get(n)!) - watch.deletingAt.get(n)!,
      );
      console.log(
        `# scale up: new pods answered ${upLags.join(", ")} ms after Ready; scale down: deleted pods answered until ${downLags.join(", ")} ms after their deletion`,
      );
      for (const lag of [...upLags, ...downLags]) assert.ok(lag < 1000, `lag ${lag} ms`);
    } finally {
      watch.stop();
      await poller.stop();
    }
  });

  it("deleting a Service removes its rules from every node's table", async () => {
    const ip = (await c!.json("get", "svc", "far")).spec.clusterIP as string;
    const table = (role: string) =>
      inNetns(netns(role), "nft", ["list", "table", "ip", "bosun-proxy"]);
    for (const role of roles) assert.ok(table(role).includes(ip), `${role} has rules for ${ip}`);
    const deleted = Date.now();
    await c!.k("delete", "svc", "far");
    await until(
      "no rules mention the Service",
      async () => roles.every((r) => !table(r).includes(ip)),
      10_000,
    );
    console.log(`# rules of a deleted Service gone from 3 nodes in ${Date.now() - deleted} ms`);
  });

  it("masquerades pods reaching the host with their node's address; pod to pod keeps the pod's", async () => {
    const server: Server = createServer((s) => s.end(`from ${s.remoteAddress}\n`));
    await new Promise<void>((r) => server.listen(0, spec.lan.hostIP, r));
    try {
      const port = (server.address() as { port: number }).port;
      const got = await inClient(`nc -w 3 ${spec.lan.hostIP} ${port}`);
      assert.equal(got.trim(), `from ${nodeIP("worker1")}`);
    } finally {
      server.close();
    }
    const front = ((await c!.json("get", "pods", "-l", "app=front")).items as Obj[]).find(
      (p) => p.spec.nodeName !== node("worker1"),
    );
    if (front) {
      const body = await inClient(
        `printf 'GET /cgi-bin/index.cgi HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${front.status.podIP} 8080 | tail -n 1`,
      );
      const client = (await c!.json("get", "pod", "client")).status.podIP;
      assert.match(body, new RegExp(`client=${remote(client)}$`, "m"));
    }
  });

  it("pods reach a machine beyond the host, which sees the host's address (the LAN's router)", {
    skip:
      readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim() !== "1" &&
      "the host does not forward",
  }, async () => {
    const outside = new OutsideHost();
    try {
      await outside.create();
      const got = await inClient(`nc -w 3 ${outside.ip} ${outside.port}`);
      assert.equal(got.trim(), `from ${outside.hostIP}`);
    } finally {
      outside.destroy();
    }
  });
});
