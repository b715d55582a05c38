/** Reading kubeconfig files: good ones, and one-line client-go errors for every malformed one. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { kubeconfigYAML } from "../pki/kubeconfig.ts";
import { loadKubeconfig } from "./kubeconfig-file.ts";

const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("loadKubeconfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-kubeconfig-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads the current context's cluster and user", () => {
    const path = file(
      "good",
      kubeconfigYAML({ server: "https://10.0.0.1:6443", caPem: ca, token: "abc.def" }),
    );
    assert.deepEqual(loadKubeconfig(path, "test"), {
      server: "https://10.0.0.1:6443",
      caPem: ca,
      token: "abc.def",
      userAgent: "test",
    });
  });

  it("reads certificates by path", () => {
    const caFile = file("ca.crt", ca);
    const path = file(
      "by-path",
      [
        "clusters: [{name: c, cluster: {server: 'https://h:1', certificate-authority: " +
          `${caFile}}}]`,
        "users: [{name: u, user: {client-certificate: /nonexistent/cert, client-key: /x}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        "current-context: x",
      ].join("\n"),
    );
    assert.throws(() => loadKubeconfig(path), {
      message:
        "unable to read client-certificate /nonexistent/cert for u due to open /nonexistent/cert: no such file or directory",
    });
  });

  const cases: [string, string | undefined, string][] = [
    ["missing file", undefined, "open MISSING: no such file or directory"],
    ["/dev/null", "", "invalid configuration: no configuration has been provided"],
    ["empty mapping", "{}", "invalid configuration: no configuration has been provided"],
    ["bad YAML", "clusters: [\n  - {", 'error loading config file "PATH": '],
    ["a list", "- a\n- b\n", "not a kubeconfig (a YAML mapping)"],
    ["clusters not a list", "clusters: 3\n", "clusters must be a list of {name, cluster}"],
    ["entry without name", "contexts: [{context: {}}]\n", "contexts must be a list"],
    [
      "unknown current context",
      "current-context: nope\ncontexts: []\n",
      "context was not found for specified context: nope",
    ],
    [
      "unknown cluster",
      "current-context: x\ncontexts: [{name: x, context: {cluster: gone}}]\n",
      'cluster "gone" was not found for context "x"',
    ],
    [
      "no server",
      "clusters: [{name: c, cluster: {}}]\ncontexts: [{name: x, context: {cluster: c}}]\n",
      'no server found for cluster "c"',
    ],
    [
      "no CA",
      "clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n",
      "has no certificate authority",
    ],
    [
      "CA not PEM",
      `clusters: [{name: c, cluster: {server: 'https://h:1', certificate-authority-data: ${b64("junk")}}}]\n`,
      "unable to parse bytes as PEM block",
    ],
    [
      "server not a string",
      "clusters: [{name: c, cluster: {server: 5}}]\n",
      "server must be a string",
    ],
    [
      "certificate without key",
      `clusters: [{name: c, cluster: {server: 'https://h:1', certificate-authority-data: ${b64(ca)}}}]\n` +
        `users: [{name: u, user: {client-certificate-data: ${b64(ca)}}}]\n` +
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n",
      "client-cert-data and client-key-data must be specified for u",
    ],
  ];
  for (const [name, text, message] of cases) {
    it(`refuses ${name} in one line`, () => {
      const path = text === undefined ? join(dir, "missing") : file(name.replace(/\W/g, "-"), text);
      const expected = message.replace("MISSING", path).replace("PATH", path);
      assert.throws(
        () => loadKubeconfig(path),
        (err: Error) => {
          assert.ok(err.message.includes(expected), `${err.message} ∌ ${expected}`);
          assert.ok(!err.message.includes("\n"), err.message);
          return true;
        },
      );
    });
  }

  it("names a directory as Go does", () => {
    assert.throws(() => loadKubeconfig(dir), { message: `read ${dir}: is a directory` });
  });
});
