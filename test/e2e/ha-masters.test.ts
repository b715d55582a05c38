/**
 * Three masters on this host (127.0.0.1, .2, .3 with their own API and etcd ports, no agents):
 * the second and third join with a control-plane token and serve the same objects; killing the
 * master that leads the controller manager and scheduler moves both Leases to another master
 * while a writer through the survivors loses no acknowledged create; killing a second master
 * makes writes fail with a clear etcd error and /readyz report etcd failed; restarting both heals
 * the cluster. Needs Debian's etcd; no etcd may be left running afterwards.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { configFromKubeconfig, RestClient } from "../../src/client/rest-client.ts";
import { isStatusError } from "../../src/machinery/status.ts";
import { freePort } from "../../src/storage/testing/etcd-harness.ts";
import { run, TestServer } from "./lib/server.ts";

const bosun = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));
const hasEtcd = (() => {
  try {
    execFileSync("etcd", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const readyz = (port: number) => health(port, "/readyz?verbose");

function health(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        rejectUnauthorized: false,
        timeout: 3000,
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.once("error", (err) => resolve({ status: 0, body: err.message }));
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`, { cause: last });
    await sleep(200);
  }
}

/** etcd processes started for these data dirs (by the command lines naming them). */
function etcdProcessesFor(dirs: readonly string[]): string[] {
  let out = "";
  try {
    out = execFileSync("pgrep", ["-a", "-x", "etcd"], { encoding: "utf8" });
  } catch {
    return [];
  }
  return out.split("\n").filter((l) => dirs.some((d) => l.includes(d)));
}

const cm = (name: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data: { k: name },
});
const cmPath = "/api/v1/namespaces/default/configmaps";

describe("several masters (managed etcd)", { skip: !hasEtcd && "etcd is not installed" }, () => {
  const masters: TestServer[] = [];
  const clients: RestClient[] = [];
  let memberNames: string[] = [];

  /** kill -9, and forget the process (TestServer.stop would wait for its exit again). */
  const kill9 = async (i: number) => {
    const child = masters[i]!.process!;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    masters[i]!.process = undefined;
  };
  const memberOf = (m: TestServer) =>
    (
      JSON.parse(readFileSync(join(m.dataDir, "server", "etcd", "member.json"), "utf8")) as {
        name: string;
      }
    ).name;
  const etcdPorts = async () => [
    "--etcd-client-port",
    String(await freePort()),
    "--etcd-peer-port",
    String(await freePort()),
  ];

  before(async () => {
    masters.push(
      await TestServer.start({
        args: ["--cluster-init", ...(await etcdPorts()), "--advertise-address", "127.0.0.1"],
      }),
    );
    const token = await run(
      process.execPath,
      [
        bosun,
        "token",
        "create",
        "--control-plane",
        "--print-join-command",
        "--data-dir",
        masters[0]!.dataDir,
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(token.code, 0, token.stderr);
    const join = token.stdout.trim().split(/\s+/);
    assert.deepEqual(join.slice(0, 3), ["bosun", "server", "--server"]);
    for (const ip of ["127.0.0.2", "127.0.0.3"]) {
      masters.push(
        await TestServer.start({
          args: [...join.slice(2), ...(await etcdPorts()), "--advertise-address", ip],
        }),
      );
    }
    for (const m of masters)
      clients.push(new RestClient(configFromKubeconfig(m.kubeconfig, "ha-e2e")));
    memberNames = masters.map(memberOf);
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(masters.map((m) => m.dispose()));
    const left = etcdProcessesFor(masters.map((m) => m.dataDir));
    assert.deepEqual(left, [], "etcd processes left behind");
  });

  it("joins with a control-plane token, warns at two masters, and serves the same objects", async () => {
    assert.match(masters[1]!.log, /WARNING: this cluster now has 2 masters/);
    assert.doesNotMatch(masters[2]!.log, /WARNING: this cluster now has 2 masters/);
    assert.equal(new Set(memberNames).size, 3);
    await clients[0]!.create(cmPath, cm("shared"));
    for (const c of clients) {
      const got = await c.get<{ data: { k: string } }>(`${cmPath}/shared`);
      assert.equal(got.data.k, "shared");
    }
    for (const m of masters) {
      const r = await readyz(m.port);
      assert.equal(r.status, 200);
      assert.match(r.body, /\[\+\]etcd ok/);
    }
  });

  it("hands the join bundle to control-plane tokens only", async () => {
    const get = (token?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port: masters[0]!.port,
            path: "/bosun/v1/control-plane-join",
            rejectUnauthorized: false,
            headers: token ? { Authorization: `Bearer ${token}` } : {},
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.once("error", reject);
        req.end();
      });
    const nodeToken = await run(
      process.execPath,
      [bosun, "token", "create", "--data-dir", masters[0]!.dataDir],
      { timeoutMs: 30_000 },
    );
    assert.equal(nodeToken.code, 0, nodeToken.stderr);
    assert.equal(await get(), 401);
    assert.equal(await get(nodeToken.stdout.trim()), 403);
    const joined = await run(
      process.execPath,
      [
        bosun,
        "server",
        "--data-dir",
        join(masters[0]!.dataDir, "x"),
        "--server",
        `https://127.0.0.1:${masters[0]!.port}`,
        "--token",
        nodeToken.stdout.trim(),
        "--disable-agent",
        "--https-port",
        String(await freePort()),
      ],
      { timeoutMs: 60_000 },
    );
    assert.notEqual(joined.code, 0);
    assert.match(
      joined.stderr,
      /refused the control-plane join bundle: the token must be a control-plane token/,
    );
  });

  it("moves the Leases within seconds when their master dies and loses no acknowledged write", async () => {
    type Lease = { spec: { holderIdentity: string } };
    const holder = async (c: RestClient, name: string) =>
      (await c.get<Lease>(`/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`))
        .spec.holderIdentity;
    const cmHolder = await holder(clients[0]!, "kube-controller-manager");
    const victim = memberNames.findIndex((n) => cmHolder.startsWith(`${n}_`));
    assert.ok(victim >= 0, `holder ${cmHolder} is one of ${memberNames.join(",")}`);
    const schedHolder = await holder(clients[0]!, "kube-scheduler");
    const survivors = [0, 1, 2].filter((i) => i !== victim);

    const acknowledged: string[] = [];
    let stop = false;
    let lastOk = Date.now();
    let longestGapMs = 0;
    let n = 0;
    const writer = (async () => {
      while (!stop) {
        const name = `w-${n++}`;
        try {
          await clients[survivors[n % 2]!]!.create(cmPath, cm(name));
          acknowledged.push(name);
          longestGapMs = Math.max(longestGapMs, Date.now() - lastOk);
          lastOk = Date.now();
        } catch {
          await sleep(50);
        }
      }
    })();
    await sleep(1000);
    const killedAt = Date.now();
    await kill9(victim);
    const newCM = await eventually(
      "a new kube-controller-manager leader",
      async () => {
        const h = await holder(clients[survivors[0]!]!, "kube-controller-manager");
        return h !== cmHolder ? h : undefined;
      },
      25_000,
    );
    const cmMovedMs = Date.now() - killedAt;
    if (schedHolder.startsWith(`${memberNames[victim]}_`)) {
      await eventually(
        "a new kube-scheduler leader",
        async () =>
          (await holder(clients[survivors[0]!]!, "kube-scheduler")) !== schedHolder
            ? true
            : undefined,
        25_000,
      );
    }
    const leasesMovedMs = Date.now() - killedAt;
    await sleep(1000);
    stop = true;
    await writer;
    process.stdout.write(
      `# controller-manager lease moved in ${cmMovedMs} ms (to ${newCM}); both leases in ${leasesMovedMs} ms; ` +
        `${acknowledged.length} writes acknowledged, longest gap ${longestGapMs} ms\n`,
    );
    // Upstream's lease duration (15 s) + retry period (2 s) after the last renewal is the worst
    // case (13-16 s measured); the margin is for a loaded CI host.
    assert.ok(leasesMovedMs < 20_000, `leases moved in ${leasesMovedMs} ms`);
    assert.ok(acknowledged.length > 20);
    const list = await clients[survivors[0]!]!.get<{ items: { metadata: { name: string } }[] }>(
      cmPath,
    );
    const present = new Set(list.items.map((i) => i.metadata.name));
    const lost = acknowledged.filter((name) => !present.has(name));
    assert.deepEqual(lost, [], "acknowledged creates that are gone");
    assert.deepEqual(
      etcdProcessesFor([masters[victim]!.dataDir]),
      [],
      "the killed master's etcd died with it",
    );
  });

  it("fails writes with a clear etcd error and reports etcd failed when quorum is lost, then heals", async () => {
    const dead = masters.map((m, i) => (m.process ? -1 : i)).filter((i) => i >= 0);
    const alive = [0, 1, 2].filter((i) => !dead.includes(i));
    const second = alive[0]!;
    const last = alive[1]!;
    await kill9(second);
    dead.push(second);
    const started = Date.now();
    const err = await clients[last]!.create(cmPath, cm("no-quorum")).then(
      () => undefined,
      (e: unknown) => e,
    );
    const failedInMs = Date.now() - started;
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, 503);
    assert.match(err.message, /^storage is unavailable: etcd.*(request timed out|no leader)/);
    assert.ok(failedInMs < 15_000, `the write failed after ${failedInMs} ms`);
    process.stdout.write(`# write without quorum failed in ${failedInMs} ms: ${err.message}\n`);
    const notReady = await eventually(
      "readyz failing",
      async () => {
        const r = await readyz(masters[last]!.port);
        return r.status === 500 ? r : undefined;
      },
      10_000,
    );
    assert.match(notReady.body, /\[-\]etcd failed: reason withheld/);
    // livez stays as it was: the process is alive, only not ready.
    assert.equal((await health(masters[last]!.port, "/livez")).status, 200);
    // Reads as upstream: a list at resourceVersion=0 is served from the watch cache; an exact
    // read needs a quorum read from etcd and fails like a write.
    const cached = await clients[last]!.get<{ items: unknown[] }>(`${cmPath}?resourceVersion=0`);
    assert.ok(cached.items.length > 0);
    const exact = await clients[last]!.get(`${cmPath}/shared`).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isStatusError(exact) && exact.code === 503, String(exact));
    // Restart both on their data dirs: the same members come back and the cluster heals.
    await Promise.all(dead.map((i) => masters[i]!.launch()));
    for (const m of masters) {
      await eventually(
        "readyz ok",
        async () => ((await readyz(m.port)).status === 200 ? true : undefined),
        30_000,
      );
    }
    await eventually(
      "a write after healing",
      async () => {
        await clients[last]!.create(cmPath, cm(`healed-${Date.now()}`));
        return true;
      },
      15_000,
    );
    for (const m of masters) assert.equal(memberOf(m), memberNames[masters.indexOf(m)]);
  });

  it("--leave removes a stopped master's member", async () => {
    const m = masters[2]!;
    await m.stop();
    const r = await run(process.execPath, [bosun, "server", "--leave", "--data-dir", m.dataDir], {
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /etcd member .* removed; 2 member\(s\) remain/);
    assert.equal(existsSync(join(m.dataDir, "server", "etcd", "member.json")), false);
  });

  it("refuses bad flag combinations with one line and writes nothing", async () => {
    const dir = join(masters[0]!.dataDir, "never-created");
    const r = await run(
      process.execPath,
      [
        bosun,
        "server",
        "--data-dir",
        dir,
        "--cluster-init",
        "--server",
        "https://127.0.0.1:1",
        "--token",
        "abcdef.0123456789abcdef",
      ],
      { timeoutMs: 30_000 },
    );
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /--cluster-init cannot be combined with --server/);
    assert.equal(existsSync(dir), false);
  });
});

describe("--cluster-init on a SQLite data dir", {
  skip: !hasEtcd && "etcd is not installed",
}, () => {
  it("migrates every object into the new etcd member once", async () => {
    const server = await TestServer.start();
    try {
      await server.k("create", "configmap", "before-etcd", "--from-literal=k=v");
      await server.k(
        "create",
        "secret",
        "generic",
        "kept-secret",
        "--from-literal=password=s3cret",
      );
      assert.equal(await server.stop(), 0);
      const ports = [
        "--etcd-client-port",
        String(await freePort()),
        "--etcd-peer-port",
        String(await freePort()),
      ];
      const etcd = await TestServer.start({
        dataDir: server.dataDir,
        port: server.port,
        args: ["--cluster-init", ...ports],
      });
      try {
        assert.match(etcd.log, /migrated the SQLite store into etcd/);
        const cmData = await etcd.json("get", "configmap", "before-etcd");
        assert.equal(cmData.data.k, "v");
        const secret = await etcd.json("get", "secret", "kept-secret");
        assert.equal(Buffer.from(secret.data.password, "base64").toString(), "s3cret");
        assert.ok(existsSync(join(server.dataDir, "server", "db", "state.db.migrated")));
        await etcd.k("create", "configmap", "after-etcd");
      } finally {
        await etcd.stop();
      }
    } finally {
      await server.dispose();
    }
    assert.deepEqual(etcdProcessesFor([server.dataDir]), []);
  });
});
