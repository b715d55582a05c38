import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/generated/types.ts";
import type { UserInfo } from "../../authn/user.ts";
import { parseRequestInfo } from "../../request-info.ts";
import { MemoryNodeGraphSource } from "./graph-source.ts";
import { NodeAuthorizer, nodeIdentity } from "./node-authorizer.ts";

const n1: UserInfo = {
  username: "system:node:n1",
  groups: ["system:nodes", "system:authenticated"],
};

const web: Pod = {
  metadata: { name: "web", namespace: "app" },
  spec: {
    nodeName: "n1",
    serviceAccountName: "web-sa",
    imagePullSecrets: [{ name: "registry" }],
    containers: [
      {
        name: "c",
        envFrom: [{ configMapRef: { name: "env-cm" } }],
        env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "db-pw", key: "pw" } } }],
      },
    ],
    volumes: [
      { name: "data", persistentVolumeClaim: { claimName: "data-claim" } },
      { name: "cfg", configMap: { name: "cfg" } },
      { name: "proj", projected: { sources: [{ secret: { name: "proj-secret" } }] } },
    ],
  },
};
const elsewhere: Pod = {
  metadata: { name: "other", namespace: "app" },
  spec: {
    nodeName: "n2",
    containers: [],
    volumes: [{ name: "s", secret: { secretName: "n2-only" } }],
  },
};

function authz() {
  const source = new MemoryNodeGraphSource({
    pods: [web, elsewhere],
    claims: [{ metadata: { name: "data-claim", namespace: "app" }, spec: { volumeName: "pv-1" } }],
  });
  return new NodeAuthorizer(source);
}

async function check(method: string, path: string, user: UserInfo = n1) {
  return authz().authorize(user, parseRequestInfo(method, path, new URLSearchParams()));
}

const noRelationship = {
  allowed: false,
  reason: "no relationship found between node 'n1' and this object",
};

describe("nodeIdentity", () => {
  it("needs the prefix and the group", () => {
    assert.equal(nodeIdentity(n1), "n1");
    assert.equal(nodeIdentity({ username: "system:node:n1", groups: [] }), undefined);
    assert.equal(nodeIdentity({ username: "alice", groups: ["system:nodes"] }), undefined);
  });
});

describe("NodeAuthorizer", () => {
  const allowed: [string, string, string][] = [
    ["secret volume via projection", "GET", "/api/v1/namespaces/app/secrets/proj-secret"],
    ["image pull secret", "GET", "/api/v1/namespaces/app/secrets/registry"],
    ["env secret", "GET", "/api/v1/namespaces/app/secrets/db-pw"],
    ["envFrom config map", "GET", "/api/v1/namespaces/app/configmaps/env-cm"],
    ["config map volume", "GET", "/api/v1/namespaces/app/configmaps/cfg"],
    ["claim", "GET", "/api/v1/namespaces/app/persistentvolumeclaims/data-claim"],
    ["claim status", "PATCH", "/api/v1/namespaces/app/persistentvolumeclaims/data-claim/status"],
    ["bound volume", "GET", "/api/v1/persistentvolumes/pv-1"],
    ["service account token", "POST", "/api/v1/namespaces/app/serviceaccounts/web-sa/token"],
    ["own node", "PATCH", "/api/v1/nodes/n1"],
    ["own node status", "PUT", "/api/v1/nodes/n1/status"],
    ["register a node", "POST", "/api/v1/nodes"],
    ["read other nodes (static rules)", "GET", "/api/v1/nodes/n2"],
    ["own lease", "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1"],
    ["create lease", "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"],
    ["own pod status", "PATCH", "/api/v1/namespaces/app/pods/web/status"],
    ["delete own pod", "DELETE", "/api/v1/namespaces/app/pods/web"],
    ["create mirror pod", "POST", "/api/v1/namespaces/app/pods"],
    ["watch pods (static rules)", "GET", "/api/v1/pods"],
    ["events", "POST", "/api/v1/namespaces/app/events"],
    ["services (static rules)", "GET", "/api/v1/services"],
  ];
  for (const [name, method, path] of allowed) {
    it(`allows ${name}`, async () =>
      assert.deepEqual(await check(method, path), { allowed: true }));
  }

  const denied: [string, string, string, string | undefined][] = [
    [
      "another node's secret",
      "GET",
      "/api/v1/namespaces/app/secrets/n2-only",
      noRelationship.reason,
    ],
    [
      "a secret in another namespace",
      "GET",
      "/api/v1/namespaces/other/secrets/db-pw",
      noRelationship.reason,
    ],
    ["listing secrets", "GET", "/api/v1/namespaces/app/secrets", "No Object name found"],
    [
      "writing a secret",
      "PUT",
      "/api/v1/namespaces/app/secrets/db-pw",
      "can only read resources of this type",
    ],
    [
      "secrets cluster-wide",
      "GET",
      "/api/v1/secrets",
      "can only read namespaced object of this type",
    ],
    ["an unbound volume", "GET", "/api/v1/persistentvolumes/pv-2", noRelationship.reason],
    [
      "listing claims",
      "GET",
      "/api/v1/namespaces/app/persistentvolumeclaims",
      "can only get individual resources of this type",
    ],
    [
      "claim status get",
      "GET",
      "/api/v1/namespaces/app/persistentvolumeclaims/data-claim/status",
      "can only get/update/patch this type",
    ],
    [
      "another service account's token",
      "POST",
      "/api/v1/namespaces/app/serviceaccounts/default/token",
      noRelationship.reason,
    ],
    [
      "reading service accounts",
      "GET",
      "/api/v1/namespaces/app/serviceaccounts/web-sa",
      "can only create tokens for individual service accounts",
    ],
    ["another node", "PATCH", "/api/v1/nodes/n2", 'node "n1" is not allowed to modify node "n2"'],
    ["deleting a node", "DELETE", "/api/v1/nodes/n1", undefined],
    [
      "another node's lease",
      "PUT",
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2",
      "can only access node lease with the same name as the requesting node",
    ],
    [
      "a lease elsewhere",
      "GET",
      "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/n1",
      'can only access leases in the "kube-node-lease" system namespace',
    ],
    [
      "listing leases",
      "GET",
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
      "can only get, create, update, patch, or delete a node lease",
    ],
    [
      "another node's pod status",
      "PUT",
      "/api/v1/namespaces/app/pods/other/status",
      noRelationship.reason,
    ],
    [
      "deleting another node's pod",
      "DELETE",
      "/api/v1/namespaces/app/pods/other",
      noRelationship.reason,
    ],
    ["updating a pod", "PUT", "/api/v1/namespaces/app/pods/web", undefined],
    ["deployments", "GET", "/apis/apps/v1/deployments", undefined],
  ];
  for (const [name, method, path, reason] of denied) {
    it(`denies ${name}`, async () => {
      const want = reason === undefined ? { allowed: false } : { allowed: false, reason };
      assert.deepEqual(await check(method, path), want);
    });
  }

  it("has no opinion on other users and names unknown nodes", async () => {
    const alice = { username: "alice", groups: ["system:authenticated"] };
    assert.deepEqual(await check("GET", "/api/v1/namespaces/app/secrets/db-pw", alice), {
      allowed: false,
    });
    const nameless = { username: "system:node:", groups: ["system:nodes"] };
    assert.deepEqual(await check("GET", "/api/v1/nodes", nameless), {
      allowed: false,
      reason: 'unknown node for user "system:node:"',
    });
  });
});

describe("NodeAuthorizer: local-path volumes", () => {
  const localPV = (name: string, node: string) => ({
    metadata: { name, labels: { "local-path.bosun.dev/node": node } },
  });
  const authorizer = new NodeAuthorizer(
    new MemoryNodeGraphSource({
      pods: [web],
      claims: [
        { metadata: { name: "data-claim", namespace: "app" }, spec: { volumeName: "pv-1" } },
      ],
      volumes: [
        localPV("pvc-mine", "n1"),
        localPV("pvc-theirs", "n2"),
        { metadata: { name: "pv-1" } },
      ],
    }),
  );
  const ask = (method: string, path: string, query = "") =>
    authorizer.authorize(n1, parseRequestInfo(method, path, new URLSearchParams(query)));
  const allowed = { allowed: true };

  it("lets a node list and watch only its own local-path volumes", async () => {
    const own = "labelSelector=local-path.bosun.dev%2Fnode%3Dn1";
    assert.deepEqual(await ask("GET", "/api/v1/persistentvolumes", own), allowed);
    assert.deepEqual(await ask("GET", "/api/v1/persistentvolumes", `${own}&watch=true`), allowed);
    const onlyGet = { allowed: false, reason: "can only get individual resources of this type" };
    for (const query of [
      "",
      "labelSelector=local-path.bosun.dev%2Fnode%3Dn2",
      "labelSelector=local-path.bosun.dev%2Fnode",
    ]) {
      assert.deepEqual(await ask("GET", "/api/v1/persistentvolumes", query), onlyGet, query);
    }
  });

  it("lets a node list and watch TLS Secrets of all namespaces for its ingress, nothing more", async () => {
    const tls = "fieldSelector=type%3Dkubernetes.io%2Ftls";
    assert.deepEqual(await ask("GET", "/api/v1/secrets", tls), allowed);
    assert.deepEqual(await ask("GET", "/api/v1/secrets", `${tls}&watch=true`), allowed);
    for (const [path, query] of [
      ["/api/v1/secrets", ""],
      ["/api/v1/secrets", "fieldSelector=type%3DOpaque"],
      ["/api/v1/secrets", `${tls},metadata.name%3Dx`],
    ] as const) {
      assert.equal((await ask("GET", path, query)).allowed, false, query);
    }
    assert.equal((await ask("DELETE", "/api/v1/namespaces/a/secrets/x", tls)).allowed, false);
  });

  it("lets a node read and update its local-path volumes, not another node's", async () => {
    assert.deepEqual(await ask("GET", "/api/v1/persistentvolumes/pvc-mine"), allowed);
    assert.deepEqual(await ask("PATCH", "/api/v1/persistentvolumes/pvc-mine"), allowed);
    assert.deepEqual(await ask("PUT", "/api/v1/persistentvolumes/pvc-mine"), allowed);
    assert.deepEqual(await ask("GET", "/api/v1/persistentvolumes/pvc-theirs"), noRelationship);
    assert.deepEqual(await ask("PATCH", "/api/v1/persistentvolumes/pvc-theirs"), noRelationship);
    assert.deepEqual(await ask("PUT", "/api/v1/persistentvolumes/pvc-mine/status"), {
      allowed: false,
      reason: "can only get individual resources of this type",
    });
    assert.deepEqual(await ask("DELETE", "/api/v1/persistentvolumes/pvc-mine"), {
      allowed: false,
      reason: "can only get individual resources of this type",
    });
    // Upstream's rule still holds: the volume of a claim its pod uses, read only.
    assert.deepEqual(await ask("GET", "/api/v1/persistentvolumes/pv-1"), allowed);
    assert.deepEqual(await ask("PATCH", "/api/v1/persistentvolumes/pv-1"), noRelationship);
  });
});
