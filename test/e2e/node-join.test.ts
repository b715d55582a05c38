/**
 * Joining a node with a bootstrap token, end to end: `bosun token create --print-join-command`
 * run as printed (plus the simulated runtime, a data dir and a node name) gives a node that is
 * Ready in `kubectl get nodes`, with its own `system:node:<name>` certificate from an
 * auto-approved CSR; a restart reuses that certificate; a deleted, expired or unknown token and a
 * wrong CA pin cannot join; token commands refuse bad input and write nothing; the node's
 * credential is held to its own objects (Node authorizer) and cannot get another node's
 * certificate.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { agentHeapFlags } from "../../bin/agent-flags.js";
import { createCSR } from "../../src/pki/csr.ts";
import { generatePrivateKey } from "../../src/pki/keys.ts";
import { run, TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

const bosun = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "bosun-join-e2e-"));
const agents = new Set<ChildProcess>();

function bosunCmd(args: readonly string[], timeoutMs = 60_000) {
  return run(process.execPath, [bosun, ...args], { timeoutMs });
}

/** Starts a long-running agent; its output is collected in `log`. */
function startAgent(args: readonly string[]): { child: ChildProcess; log: () => string } {
  let log = "";
  const child = spawn(process.execPath, [bosun, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  agents.add(child);
  child.once("exit", () => agents.delete(child));
  return { child, log: () => log };
}

async function stopAgent(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** The join command as printed, split into bosun's arguments (without the leading "bosun"). */
function joinArgs(printed: string): string[] {
  const words = printed.trim().split(/\s+/);
  assert.equal(words[0], "bosun");
  return words.slice(1);
}

describe("node join with a bootstrap token", () => {
  let s: TestServer;
  let printed = "";
  let nodeKubeconfig = "";
  before(async () => {
    s = await TestServer.start();
  });
  after(async () => {
    for (const a of agents) await stopAgent(a);
    await s.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("prints a join command with the advertised server, the token and the CA pin", async () => {
    const r = await bosunCmd(["token", "create", "--print-join-command", "--data-dir", s.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    printed = r.stdout;
    assert.match(
      printed,
      /^bosun agent --server https:\/\/[\d.]+:\d+ --token [a-z0-9]{6}\.[a-z0-9]{16} --ca-cert-hash sha256:[0-9a-f]{64}\n$/,
    );
    assert.ok(printed.includes(`:${s.port} `));
    const list = await bosunCmd(["token", "list", "--data-dir", s.dataDir]);
    assert.equal(list.code, 0, list.stderr);
    const [header, row] = list.stdout.split("\n");
    assert.equal(
      header,
      "TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION                                                EXTRA GROUPS",
    );
    const token = /--token (\S+)/.exec(printed)![1]!;
    assert.match(
      row!,
      new RegExp(
        `^${token.replace(".", "\\.")}   23h         \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ   authentication,signing   <none> {53}system:bootstrappers:bosun:default-node-token$`,
      ),
    );
  });

  it("joins a node that appears Ready, with its own certificate from an approved CSR", async () => {
    const dataDir = join(tmp, "worker-1");
    const agent = startAgent([
      ...joinArgs(printed),
      "--runtime",
      "simulated",
      "--data-dir",
      dataDir,
      "--node-name",
      "worker-1",
    ]);
    const node = await until("worker-1 Ready", async () => {
      const r = await s.kubectl(["get", "node", "worker-1", "-o", "json"]);
      if (r.code !== 0) return undefined;
      const n = JSON.parse(r.stdout);
      const ready = n.status?.conditions?.find((c: { type: string }) => c.type === "Ready");
      return ready?.status === "True" && n;
    });
    assert.equal(node.metadata.name, "worker-1");
    const nodes = await s.k("get", "nodes");
    assert.match(nodes, /^worker-1\s+Ready\s+<none>/m);
    nodeKubeconfig = join(dataDir, "agent", "kubelet.kubeconfig");
    assert.ok(existsSync(nodeKubeconfig));
    const whoami = await s.kubectl([
      "--kubeconfig",
      nodeKubeconfig,
      "auth",
      "whoami",
      "-o",
      "json",
    ]);
    assert.equal(whoami.code, 0, whoami.stderr);
    const info = JSON.parse(whoami.stdout).status.userInfo;
    assert.equal(info.username, "system:node:worker-1");
    assert.deepEqual(info.groups, ["system:nodes", "system:authenticated"]);
    const csrs = await s.json<{ items: any[] }>("get", "csr");
    const joinCsr = csrs.items.find((c) => c.metadata.name.startsWith("node-csr-"));
    assert.ok(joinCsr, "the join's CSR");
    assert.match(joinCsr.spec.username, /^system:bootstrap:[a-z0-9]{6}$/);
    assert.equal(joinCsr.spec.signerName, "kubernetes.io/kube-apiserver-client-kubelet");
    const approved = joinCsr.status.conditions.find((c: { type: string }) => c.type === "Approved");
    assert.equal(approved.reason, "AutoApproved");
    assert.ok(joinCsr.status.certificate);
    await stopAgent(agent.child);
  });

  it("joins simulated nodes the same way, each with its own certificate", async () => {
    const agent = startAgent([
      "simulate",
      "nodes",
      "--count",
      "3",
      "--prefix",
      "sim-join-",
      ...joinArgs(printed).slice(1),
      "--data-dir",
      join(tmp, "simulated"),
    ]);
    await until("3 simulated nodes Ready", async () => {
      const r = await s.json<{ items: any[] }>("get", "nodes");
      const ready = r.items.filter(
        (n) =>
          n.metadata.name.startsWith("sim-join-") &&
          n.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
      );
      return ready.length === 3;
    });
    for (let i = 0; i < 3; i++) {
      const kc = join(tmp, "simulated", "agent", "simulated", `sim-join-${i}.kubeconfig`);
      const who = await s.kubectl(["--kubeconfig", kc, "auth", "whoami", "-o", "json"]);
      assert.equal(JSON.parse(who.stdout).status.userInfo.username, `system:node:sim-join-${i}`);
    }
    await stopAgent(agent.child);
  });

  it("restarts on its stored certificate, without the token", async () => {
    const agent = startAgent([
      "agent",
      "--runtime",
      "simulated",
      "--data-dir",
      join(tmp, "worker-1"),
      "--node-name",
      "worker-1",
    ]);
    await until("the agent to run", async () => /agent running/.test(agent.log()));
    // It runs with the memory settings it re-executes itself with (ADR 25).
    const cmdline = readFileSync(`/proc/${agent.child.pid}/cmdline`, "utf8").split("\0");
    for (const flag of agentHeapFlags) {
      assert.ok(cmdline.includes(flag), cmdline.join(" "));
    }
    assert.match(agent.log(), /using the stored client certificate/);
    assert.doesNotMatch(agent.log(), /joining with the bootstrap token/);
    await stopAgent(agent.child);
  });

  it("holds the node's credential to its own objects (403 with the Node authorizer's reason)", async () => {
    await s.k("create", "secret", "generic", "db-password", "--from-literal=p=hunter2");
    const r = await s.kubectl(["--kubeconfig", nodeKubeconfig, "get", "secret", "db-password"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `Error from server (Forbidden): secrets "db-password" is forbidden: User "system:node:worker-1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'worker-1' and this object`,
    );
    const label = await s.kubectl([
      "--kubeconfig",
      nodeKubeconfig,
      "label",
      "node",
      "other-node",
      "x=y",
    ]);
    assert.notEqual(label.code, 0);
  });

  it("does not approve a node's request for another node's name", async () => {
    const request = Buffer.from(
      createCSR({
        privateKey: generatePrivateKey(),
        commonName: "system:node:worker-2",
        organizations: ["system:nodes"],
      }),
    ).toString("base64");
    const file = join(tmp, "steal.yaml");
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name: "steal-worker-2" },
        spec: {
          request,
          signerName: "kubernetes.io/kube-apiserver-client-kubelet",
          usages: ["digital signature", "client auth"],
        },
      }),
    );
    const created = await s.kubectl(["--kubeconfig", nodeKubeconfig, "create", "-f", file]);
    assert.equal(created.code, 0, created.stderr);
    await new Promise((r) => setTimeout(r, 2_000));
    const csr = await s.json("get", "csr", "steal-worker-2");
    assert.equal(csr.spec.username, "system:node:worker-1");
    assert.deepEqual(csr.status?.conditions ?? [], []);
    assert.equal(csr.status?.certificate, undefined);
  });

  it("refuses a deleted token at once, with a clear error, and creates nothing", async () => {
    const create = await bosunCmd([
      "token",
      "create",
      "--print-join-command",
      "--data-dir",
      s.dataDir,
    ]);
    const args = joinArgs(create.stdout);
    const id = /--token ([a-z0-9]{6})\./.exec(create.stdout)![1]!;
    const del = await bosunCmd(["token", "delete", id, "--data-dir", s.dataDir]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `bootstrap token "${id}" deleted\n`);
    const csrsBefore = (await s.json<{ items: unknown[] }>("get", "csr")).items.length;
    const started = Date.now();
    const r = await bosunCmd([
      ...args,
      "--runtime",
      "simulated",
      "--data-dir",
      join(tmp, "late"),
      "--node-name",
      "late",
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `bosun agent: token id "${id}" is invalid for this cluster or it has expired. Use "bosun token create" on the control-plane node to create a new valid token\\n$`,
      ),
    );
    assert.ok(Date.now() - started < 20_000);
    assert.equal((await s.json<{ items: unknown[] }>("get", "csr")).items.length, csrsBefore);
    assert.equal((await s.kubectl(["get", "node", "late"])).code, 1);
  });

  it("cleans up an expired token, which can then no longer join", async () => {
    const create = await bosunCmd([
      "token",
      "create",
      "--ttl",
      "2s",
      "--print-join-command",
      "--data-dir",
      s.dataDir,
    ]);
    assert.equal(create.code, 0, create.stderr);
    const id = /--token ([a-z0-9]{6})\./.exec(create.stdout)![1]!;
    await until("the token cleaner", async () => {
      const r = await s.kubectl(["get", "secret", "-n", "kube-system", `bootstrap-token-${id}`]);
      return r.code === 1 && /NotFound/.test(r.stderr);
    });
    const list = await bosunCmd(["token", "list", "--data-dir", s.dataDir]);
    assert.doesNotMatch(list.stdout, new RegExp(id));
    const r = await bosunCmd([
      ...joinArgs(create.stdout),
      "--runtime",
      "simulated",
      "--data-dir",
      join(tmp, "expired"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is invalid for this cluster or it has expired/);
  });

  it("refuses a CA that does not match the pin", async () => {
    const wrong = printed.replace(/sha256:[0-9a-f]{64}/, `sha256:${"0".repeat(64)}`);
    const r = await bosunCmd([
      ...joinArgs(wrong),
      "--runtime",
      "simulated",
      "--data-dir",
      join(tmp, "mitm"),
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /(^|\n)bosun agent: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "sha256:[0-9a-f]{64}" are pinned\n$/,
    );
    assert.equal(existsSync(join(tmp, "mitm", "agent", "kubelet.kubeconfig")), false);
  });

  it("refuses bad token input with one line, a non-zero exit, and writes nothing", async () => {
    const count = async () =>
      (
        await s.json<{ items: { type: string }[] }>("get", "secrets", "-n", "kube-system")
      ).items.filter((x) => x.type === "bootstrap.kubernetes.io/token").length;
    const before = await count();
    const cases: [string[], RegExp][] = [
      [["--ttl", "forever"], /invalid argument "forever" for "--ttl" flag/],
      [["not-a-token"], /the bootstrap token "not-a-token" was not of the form/],
      [["--groups", "system:masters"], /bootstrap group "system:masters" is invalid/],
      [["--usages", "signing,root"], /invalid bootstrap token usage string: root/],
      [
        ["--usages", "signing"],
        /token groups cannot be specified unless --usages includes "authentication"/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await bosunCmd(["token", "create", ...args, "--data-dir", s.dataDir]);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
    const dup = await bosunCmd([
      "token",
      "create",
      "abcdef.0123456789abcdef",
      "--data-dir",
      s.dataDir,
    ]);
    assert.equal(dup.code, 0, dup.stderr);
    const again = await bosunCmd([
      "token",
      "create",
      "abcdef.0123456789abcdef",
      "--data-dir",
      s.dataDir,
    ]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'bosun token: a token with id "abcdef" already exists\n');
    const badDelete = await bosunCmd([
      "token",
      "delete",
      "abcdef",
      "nope!",
      "--data-dir",
      s.dataDir,
    ]);
    assert.equal(badDelete.code, 2);
    assert.equal(await count(), before + 1, "only the one good token was written; nothing deleted");
  });
});
