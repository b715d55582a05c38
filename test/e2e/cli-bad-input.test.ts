/**
 * Bad input to the `bosun` command line: every malformed flag, missing or unreadable file and
 * unusable data dir gets one line on stderr naming the problem, a non-zero exit, and nothing
 * written (the data dirs given stay absent).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { kubeconfigYAML } from "../../src/pki/kubeconfig.ts";
import { run } from "./lib/server.ts";

const bosun = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));

describe("bosun command line, bad input", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-cli-bad-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "a-file");
  writeFileSync(file, "not a directory");
  const badYaml = join(dir, "bad.kubeconfig");
  writeFileSync(badYaml, "clusters: [\n  - {");
  const d = (name: string) => join(dir, name);
  // A well-formed kubeconfig for a server that is not there.
  const kubeconfig = join(dir, "unreachable.kubeconfig");
  writeFileSync(
    kubeconfig,
    kubeconfigYAML({
      server: "https://127.0.0.1:1",
      caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      token: "abcdef.0123456789abcdef",
    }),
  );

  const cases: [string[], RegExp][] = [
    [
      ["agent", "--kubeconfig", "/dev/null", "--data-dir", d("a1")],
      /^bosun agent: invalid configuration: no configuration has been provided/,
    ],
    [
      ["agent", "--kubeconfig", d("missing"), "--data-dir", d("a2")],
      /^bosun agent: open .*missing: no such file or directory$/,
    ],
    [["agent", "--kubeconfig", dir, "--data-dir", d("a3")], /: is a directory$/],
    [["agent", "--kubeconfig", badYaml, "--data-dir", d("a4")], /error loading config file/],
    [["agent", "--data-dir", d("a5")], /--server, --token and --ca-cert-hash are needed/],
    [["agent", "--bogus"], /^bosun agent: Unknown option '--bogus'/],
    [
      ["agent", "--node-ip", "999.1.1.1", "--kubeconfig", "/dev/null", "--data-dir", d("a6")],
      /invalid argument "999.1.1.1" for "--node-ip" flag: must be an IP address/,
    ],
    [
      ["agent", "--kubeconfig", kubeconfig, "--data-dir", file],
      /^bosun agent: data dir .* is not usable: not a directory$/,
    ],
    [
      ["agent", "--kubeconfig", kubeconfig, "--data-dir", "/proc/bosun-data"],
      /^bosun agent: data dir \/proc\/bosun-data is not usable: ENOENT$/,
    ],
    [["simulate", "nodes", "--kubeconfig", "/dev/null"], /no configuration has been provided/],
    [
      ["simulate", "nodes", "--kubeconfig", kubeconfig, "--prefix", "Sim_"],
      /^bosun simulate: invalid node name "Sim_0" \(--prefix\): a lowercase RFC 1123 subdomain/,
    ],
    [
      ["agent", "--node-name", "web 1", "--kubeconfig", kubeconfig, "--data-dir", d("a8")],
      /invalid node name "web 1" \(--node-name\)/,
    ],
    [["server", "--node-name", "web_1", "--data-dir", d("s4")], /invalid node name "web_1"/],
    [["token", "list", "--kubeconfig", "/dev/null"], /no configuration has been provided/],
    [["token", "list", "--data-dir", d("t1")], /no admin kubeconfig at/],
    [
      ["token", "list", "--kubeconfig", kubeconfig],
      /^bosun token: The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port\?$/,
    ],
    [["token", "create", "--ttl", "1d", "--data-dir", d("t2")], /invalid duration "1d"/],
    [["server", "--https-port", "99999", "--data-dir", d("s1")], /--https-port must be a port/],
    [["server", "--node-ip", "10.0.0.300", "--data-dir", d("s2")], /for "--node-ip" flag/],
    [["server", "--data-dir", file, "--disable-agent"], /is not usable: not a directory$/],
    [["server", "--datastore", "pg", "--data-dir", d("s3")], /--datastore must be/],
    [
      ["secrets-encrypt", "rotate-keys", "--data-dir", d("e1")],
      /no encryption configuration at .*: has a server run/,
    ],
    [["cluster", "create", "--masters", "x"], /--masters must be a whole number/],
    [["cluster", "list", "--state-dir", file], /state dir .* is not usable: not a directory$/],
    [["version", "--bogus"], /unknown argument "--bogus"/],
    [["bogus"], /unknown command "bogus"/],
  ];

  it("answers each with one line and a non-zero exit, writing nothing", async () => {
    const before = readdirSync(dir).sort();
    // Two at a time: each is a Node process start.
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(
        cases.slice(i, i + 2).map(async ([args, message]) => {
          const r = await run(process.execPath, [bosun, ...args], { timeoutMs: 30_000 });
          const what = `bosun ${args.join(" ")}`;
          assert.notEqual(r.code, 0, `${what} exited 0`);
          assert.equal(r.stdout, "", `${what} printed ${r.stdout}`);
          const lines = r.stderr.trimEnd().split("\n");
          assert.equal(lines.length, 1, `${what}:\n${r.stderr}`);
          assert.match(lines[0]!, message, what);
          assert.doesNotMatch(r.stderr, /Cannot read properties|TypeError| {4}at /, what);
        }),
      );
    }
    assert.deepEqual(readdirSync(dir).sort(), before);
    assert.ok(!existsSync(d("a1")));
  });
});
