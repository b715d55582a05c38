import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HaFlagError, parseHaFlags } from "./ha-flags.ts";
import { controlPlaneTokenGroup } from "./join-bundle.ts";

const ctx = { datastore: "sqlite", datastoreEndpoint: undefined, httpsPort: 6443 };
const defaults = { "cluster-init": false, leave: false };
const parse = (v: Record<string, string | boolean>, c = ctx) =>
  parseHaFlags({ ...defaults, ...v }, c);
const token = "abcdef.0123456789abcdef";

describe("HA flags of bosun server", () => {
  it("parses the modes", () => {
    assert.deepEqual(parse({}).mode, { kind: "none" });
    assert.deepEqual(parse({ "cluster-init": true }), {
      mode: { kind: "init" },
      etcdClientPort: undefined,
      etcdPeerPort: undefined,
    });
    assert.deepEqual(parse({ server: "https://10.0.0.1:6443/", token }).mode, {
      kind: "join",
      server: "https://10.0.0.1:6443",
      token: { id: "abcdef", secret: "0123456789abcdef" },
      caCertHashes: [],
    });
    const pin = `sha256:${"AB".repeat(32)}`;
    const join = parse({ server: "https://m1:6443", token, "ca-cert-hash": pin }).mode;
    assert.deepEqual(join.kind === "join" && join.caCertHashes, ["ab".repeat(32)]);
    assert.deepEqual(parse({ leave: true }).mode, { kind: "leave" });
    assert.equal(
      parse({ "etcd-client-port": "12379", "etcd-peer-port": "12380" }).etcdPeerPort,
      12380,
    );
    assert.ok(controlPlaneTokenGroup.startsWith("system:bootstrappers:"));
  });

  it("refuses bad combinations with one line each", () => {
    const bad: [Record<string, string | boolean>, RegExp, typeof ctx?][] = [
      [
        { "cluster-init": true, server: "https://a:1", token },
        /--cluster-init cannot be combined with --server/,
      ],
      [{ "cluster-init": true, leave: true }, /--cluster-init cannot be combined with --leave/],
      [{ server: "https://a:1", token, leave: true }, /--server cannot be combined with --leave/],
      [{ server: "https://a:1" }, /--server needs --token/],
      [{ token }, /--token is only used with --server/],
      [{ "ca-cert-hash": "sha256:00" }, /--ca-cert-hash is only used with --server/],
      [{ server: "http://a:1", token }, /--server must use https/],
      [{ server: "a:1:b", token }, /--server must use https|must be a URL/],
      [{ server: "https://a:1", token: "nope" }, /was not of the form/],
      [{ server: "https://a:1", token, "ca-cert-hash": "md5:00" }, /unknown hash format "md5"/],
      [{ "etcd-client-port": "0" }, /--etcd-client-port must be a port number/],
      [{ "etcd-peer-port": "x" }, /--etcd-peer-port must be a port number/],
      [{ "etcd-peer-port": "2379" }, /--etcd-peer-port 2379 is already used by --etcd-client-port/],
      [{ "etcd-client-port": "6443" }, /--etcd-client-port 6443 is already used by --https-port/],
      [
        { "cluster-init": true },
        /--cluster-init runs a managed etcd member; it cannot be combined with --datastore etcd/,
        {
          datastore: "etcd",
          datastoreEndpoint: "http://e:2379" as unknown as undefined,
          httpsPort: 6443,
        },
      ],
    ];
    for (const [values, message, c] of bad) {
      assert.throws(
        () => parse(values, c ?? ctx),
        (err: Error) =>
          err instanceof HaFlagError && message.test(err.message) && !err.message.includes("\n"),
        JSON.stringify(values),
      );
    }
  });
});
