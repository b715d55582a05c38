/**
 * Authentication and authorization with real kubectl: users get client certificates through the
 * certificates API (`kubernetes.io/kube-apiserver-client`, `kubectl certificate approve`); a user
 * bound to `view` can read but not create (403, upstream message, nothing written);
 * `kubectl auth can-i` (with `--list`) and `kubectl auth whoami` answer for users and service
 * accounts; a `kubectl create token` token works until its service account is deleted; forged
 * or foreign tokens and certificates get 401; a RoleBinding that grants more than its author
 * holds gets 403 and is not written.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate } from "../../src/pki/certificate.ts";
import { createCSR } from "../../src/pki/csr.ts";
import { generatePrivateKey, privateKeyToPEM } from "../../src/pki/keys.ts";
import { kubeconfigYAML } from "../../src/pki/kubeconfig.ts";
import { TestServer } from "./lib/server.ts";

const tmp = mkdtempSync(join(tmpdir(), "bosun-auth-e2e-"));
let s: TestServer;

const server = () => `https://127.0.0.1:${s.port}`;
const caPem = () => readFileSync(join(s.dataDir, "server", "tls", "ca.crt"), "utf8");

/** A kubeconfig file for a client certificate or a token. */
function kubeconfig(name: string, user: { certPem?: string; keyPem?: string; token?: string }) {
  const path = join(tmp, `${name}.kubeconfig`);
  writeFileSync(
    path,
    kubeconfigYAML({
      server: server(),
      caPem: caPem(),
      user: name,
      ...(user.certPem ? { clientCertPem: user.certPem, clientKeyPem: user.keyPem ?? "" } : {}),
      ...(user.token ? { token: user.token } : {}),
    }),
  );
  return path;
}

/** A user certificate the way an admin hands one out: CSR, approve, read the issued cert. */
async function userThroughCSR(name: string, groups: string[] = []): Promise<string> {
  const key = generatePrivateKey();
  const request = createCSR({ privateKey: key, commonName: name, organizations: groups });
  const file = join(tmp, `${name}-csr.json`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name },
      spec: {
        request: Buffer.from(request).toString("base64"),
        signerName: "kubernetes.io/kube-apiserver-client",
        expirationSeconds: 86400,
        usages: ["client auth"],
      },
    }),
  );
  await s.k("create", "-f", file);
  await s.k("certificate", "approve", name);
  let cert = "";
  for (let i = 0; i < 100 && !cert; i++) {
    cert = (await s.json("get", "csr", name)).status?.certificate ?? "";
    if (!cert) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(cert, `certificate for ${name} issued`);
  return kubeconfig(name, {
    certPem: Buffer.from(cert, "base64").toString(),
    keyPem: privateKeyToPEM(key),
  });
}

const as = (kc: string, ...args: string[]) => s.kubectl(["--kubeconfig", kc, ...args]);

describe("authentication and authorization with kubectl", () => {
  let viewer = "";
  before(async () => {
    s = await TestServer.start();
    viewer = await userThroughCSR("viewer");
    await s.k("create", "clusterrolebinding", "viewer-view", "--clusterrole=view", "--user=viewer");
  });
  after(async () => {
    await s.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("issues a user certificate through an approved kube-apiserver-client CSR", async () => {
    const csr = await s.json("get", "csr", "viewer");
    const cert = new X509Certificate(Buffer.from(csr.status.certificate, "base64"));
    assert.match(cert.subject, /CN=viewer/);
    const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
    assert.equal(lifetime, 86400_000 + 5 * 60_000, "requested day plus 5 minutes of backdating");
    const row = (await s.k("get", "csr", "viewer")).split("\n")[1] ?? "";
    assert.match(
      row,
      /kubernetes\.io\/kube-apiserver-client\s+system:admin\s+24h\s+Approved,Issued/,
    );
  });

  it("lets a user bound to view read, but not create (403, upstream message, nothing written)", async () => {
    const get = await as(viewer, "get", "configmaps");
    assert.equal(get.code, 0, get.stderr);
    const create = await as(viewer, "create", "configmap", "sneaky", "--from-literal=a=b");
    assert.equal(create.code, 1);
    assert.match(
      create.stderr,
      /configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default"\n$/,
    );
    const gone = await s.kubectl(["get", "configmap", "sneaky"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  it("answers kubectl auth can-i, with and without --list", async () => {
    const no = await as(viewer, "auth", "can-i", "create", "configmaps");
    assert.equal(no.code, 1);
    assert.equal(no.stdout, "no\n");
    const yes = await as(viewer, "auth", "can-i", "list", "pods", "--namespace", "kube-system");
    assert.equal(yes.code, 0);
    assert.equal(yes.stdout, "yes\n");
    const secrets = await as(viewer, "auth", "can-i", "get", "secrets");
    assert.equal(secrets.stdout, "no\n", "view does not read secrets");
    const admin = await s.kubectl(["auth", "can-i", "*", "*"]);
    assert.equal(admin.stdout, "yes\n");
    const list = await as(viewer, "auth", "can-i", "--list");
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.split("\n");
    assert.match(lines[0]!, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    const row = (resource: string) => lines.find((l) => l.startsWith(`${resource} `));
    assert.match(row("pods") ?? "", /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/);
    assert.match(row("deployments.apps") ?? "", /\[get list watch\]$/);
    assert.match(row("selfsubjectaccessreviews.authorization.k8s.io") ?? "", /\[create\]$/);
    assert.equal(row("secrets"), undefined);
  });

  it("runs kubectl --as requests as the impersonated user, for those allowed to impersonate", async () => {
    // An admin tries the viewer's rights without the viewer's credentials.
    const whoami = await s.k("auth", "whoami", "--as=viewer", "--as-group=auditors", "-o", "json");
    assert.deepEqual(JSON.parse(whoami).status.userInfo, {
      username: "viewer",
      groups: ["auditors", "system:authenticated"],
    });
    const create = await s.kubectl(["create", "configmap", "as-viewer", "--as=viewer"]);
    assert.equal(create.code, 1);
    assert.match(create.stderr, /User "viewer" cannot create resource "configmaps"/);
    assert.equal((await s.kubectl(["get", "configmap", "as-viewer"])).code, 1, "nothing written");
    const sa = await s.kubectl([
      "auth",
      "can-i",
      "list",
      "secrets",
      "--as=system:serviceaccount:default:default",
    ]);
    assert.equal(sa.stdout, "no\n");

    // The viewer may not impersonate; once granted the verb on one user, it may be that user.
    const refused = await as(viewer, "get", "pods", "--as=admin-ish");
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /users "admin-ish" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope/,
    );
    await s.k(
      "create",
      "clusterrole",
      "be-helper",
      "--verb=impersonate",
      "--resource=users",
      "--resource-name=helper",
    );
    await s.k(
      "create",
      "clusterrolebinding",
      "viewer-be-helper",
      "--clusterrole=be-helper",
      "--user=viewer",
    );
    const helper = await as(
      viewer,
      "auth",
      "whoami",
      "--as=helper",
      "-o",
      "jsonpath={.status.userInfo.username}",
    );
    assert.equal(helper.stdout, "helper", helper.stderr);
    const masters = await as(viewer, "get", "secrets", "--as=helper", "--as-group=system:masters");
    assert.equal(masters.code, 1);
    assert.match(
      masters.stderr,
      /groups "system:masters" is forbidden: User "viewer" cannot impersonate/,
    );
  });

  it("answers kubectl auth whoami for certificate users", async () => {
    const r = await as(viewer, "auth", "whoami");
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ATTRIBUTE\s+VALUE\nUsername\s+viewer\nGroups\s+\[system:authenticated\]\n$/,
    );
    const admin = await s.json("auth", "whoami");
    assert.equal(admin.status.userInfo.username, "system:admin");
    assert.deepEqual(admin.status.userInfo.groups, ["system:masters", "system:authenticated"]);
  });

  it("accepts a kubectl create token token until its service account is deleted", async () => {
    await s.k("create", "serviceaccount", "robot");
    await s.k(
      "create",
      "rolebinding",
      "robot-view",
      "--clusterrole=view",
      "--serviceaccount=default:robot",
    );
    const token = (await s.k("create", "token", "robot", "--duration=10m")).trim();
    const kc = kubeconfig("robot", { token });
    const who = JSON.parse((await as(kc, "auth", "whoami", "-o", "json")).stdout);
    assert.equal(who.status.userInfo.username, "system:serviceaccount:default:robot");
    assert.ok(who.status.userInfo.groups.includes("system:serviceaccounts:default"));
    assert.equal((await as(kc, "get", "pods")).code, 0);
    assert.equal((await as(kc, "auth", "can-i", "create", "pods")).stdout, "no\n");
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    assert.equal(payload.exp - payload.iat, 600);
    await s.k("delete", "serviceaccount", "robot");
    const after = await as(kc, "get", "pods");
    assert.equal(after.code, 1);
    assert.match(after.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });

  it("refuses forged and foreign tokens and certificates with 401", async () => {
    await s.k("create", "serviceaccount", "robot2");
    const token = (await s.k("create", "token", "robot2")).trim();
    const [h, p, sig] = token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    claims.sub = "system:serviceaccount:kube-system:default";
    const forgedJWT = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${sig}`;
    const foreignCA = createCA({ commonName: "evil-ca" });
    const foreignAdmin = issueCertificate({
      ca: foreignCA,
      commonName: "system:admin",
      organizations: ["system:masters"],
      usages: ["client"],
    });
    const clusterCA = {
      certificate: new X509Certificate(caPem()),
      privateKey: createPrivateKey(readFileSync(join(s.dataDir, "server", "tls", "ca.key"))),
    };
    const expired = issueCertificate({
      ca: clusterCA,
      commonName: "system:admin",
      organizations: ["system:masters"],
      usages: ["client"],
      validityDays: 1,
      now: new Date(Date.now() - 3 * 86400_000),
    });
    const cases: [string, string][] = [
      ["unknown bootstrap token", kubeconfig("t1", { token: "abcdef.0123456789abcdef" })],
      ["forged service-account token", kubeconfig("t2", { token: forgedJWT })],
      ["garbage token", kubeconfig("t3", { token: "not-a-token" })],
      ["certificate from another CA", kubeconfig("c1", foreignAdmin)],
      ["expired certificate", kubeconfig("c2", expired)],
    ];
    for (const [i, [what, kc]] of cases.entries()) {
      const get = await as(kc, "get", "pods");
      assert.equal(get.code, 1, what);
      assert.equal(get.stderr, "error: You must be logged in to the server (Unauthorized)\n", what);
      const create = await as(kc, "create", "configmap", `attack-${i}`);
      assert.equal(create.code, 1, what);
      assert.equal(create.stderr, "error: failed to create configmap: Unauthorized\n", what);
    }
    const cms = await s.k("get", "configmaps", "-o", "name");
    assert.doesNotMatch(cms, /attack-/);
  });

  it("refuses a RoleBinding that grants more than its author holds, writing nothing", async () => {
    await s.k("create", "namespace", "team");
    await s.k(
      "create",
      "role",
      "binder",
      "-n",
      "team",
      "--verb=create,get,list",
      "--resource=rolebindings",
    );
    await s.k("create", "rolebinding", "dev-binder", "-n", "team", "--role=binder", "--user=dev");
    const dev = await userThroughCSR("dev");
    const r = await as(
      dev,
      "create",
      "rolebinding",
      "pwn",
      "-n",
      "team",
      "--clusterrole=cluster-admin",
      "--user=dev",
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /rolebindings\.rbac\.authorization\.k8s\.io "pwn" is forbidden: user "dev" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/,
    );
    const crb = await as(
      dev,
      "create",
      "clusterrolebinding",
      "pwn",
      "--clusterrole=cluster-admin",
      "--user=dev",
    );
    assert.equal(crb.code, 1);
    assert.match(
      crb.stderr,
      /clusterrolebindings\.rbac\.authorization\.k8s\.io is forbidden: User "dev" cannot create resource "clusterrolebindings"/,
    );
    assert.equal((await s.kubectl(["get", "rolebinding", "pwn", "-n", "team"])).code, 1);
    assert.equal((await s.kubectl(["get", "clusterrolebinding", "pwn"])).code, 1);
    const ok = await as(
      dev,
      "create",
      "rolebinding",
      "fine",
      "-n",
      "team",
      "--role=binder",
      "--user=dev2",
    );
    assert.equal(ok.code, 0, `binding what it holds is allowed: ${ok.stderr}`);
  });
  it("lets only holders of a signer's approve verb approve, and never issues system:masters", async () => {
    await s.k(
      "create",
      "clusterrole",
      "csr-clerk",
      "--verb=get,list,update",
      "--resource=certificatesigningrequests,certificatesigningrequests/approval",
    );
    await s.k("create", "clusterrolebinding", "clerk", "--clusterrole=csr-clerk", "--user=clerk");
    const clerk = await userThroughCSR("clerk");
    const key = generatePrivateKey();
    const pending = (name: string, organizations: string[]) =>
      JSON.stringify({
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name },
        spec: {
          request: Buffer.from(
            createCSR({ privateKey: key, commonName: name, organizations }),
          ).toString("base64"),
          signerName: "kubernetes.io/kube-apiserver-client",
          usages: ["client auth"],
        },
      });
    await s.kubectl(["create", "-f", "-"], { input: pending("wannabe", []) });
    const approve = await as(clerk, "certificate", "approve", "wannabe");
    assert.notEqual(approve.code, 0);
    assert.match(
      approve.stderr,
      /certificatesigningrequests\.certificates\.k8s\.io "wannabe" is forbidden: user not permitted to approve requests with signerName "kubernetes\.io\/kube-apiserver-client"/,
    );
    const csr = await s.json("get", "csr", "wannabe");
    assert.equal(csr.status?.conditions, undefined, "nothing written");
    const masters = await s.kubectl(["create", "-f", "-"], {
      input: pending("root", ["system:masters"]),
    });
    assert.notEqual(masters.code, 0);
    assert.match(
      masters.stderr,
      /use of kubernetes\.io\/kube-apiserver-client signer with system:masters group is not allowed/,
    );
    assert.equal((await s.kubectl(["get", "csr", "root"])).code, 1);
  });
});
