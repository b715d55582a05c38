import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildOpenAPIV3, documentHash, openAPIV3Path, publishOpenAPIV3 } from "./openapi.ts";
import type { ResourceSpec } from "./openapi-paths.ts";
import { buildOpenAPIV2 } from "./openapi-v2.ts";
import { wellKnownSubresource } from "./subresources.ts";

type Json = any;

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const STATUS = { name: "status", verbs: ["get", "patch", "update"] };
const RESOURCES: ResourceSpec[] = [
  {
    group: "",
    version: "v1",
    kind: "Pod",
    plural: "pods",
    namespaced: true,
    verbs: VERBS,
    subresources: [
      STATUS,
      { name: "log", verbs: ["get"], body: "text" },
      {
        name: "exec",
        verbs: ["create", "get"],
        body: "connect",
        kind: { group: "", version: "v1", kind: "PodExecOptions" },
      },
      {
        name: "eviction",
        verbs: ["create"],
        kind: { group: "policy", version: "v1", kind: "Eviction" },
      },
    ],
  },
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    verbs: VERBS,
  },
  {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    verbs: VERBS,
    subresources: [
      STATUS,
      {
        name: "scale",
        verbs: ["get", "patch", "update"],
        kind: { group: "autoscaling", version: "v1", kind: "Scale" },
      },
    ],
  },
  {
    group: "apps",
    version: "v1",
    kind: "ReplicaSet",
    plural: "replicasets",
    namespaced: true,
    verbs: VERBS,
  },
];

const METHODS = ["get", "put", "post", "patch", "delete"];

function operations(doc: Json): [string, string, Json][] {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, Json]) =>
    METHODS.filter((m) => item[m]).map((m): [string, string, Json] => [path, m, item[m]]),
  );
}

/** Every `$ref` in the document, with the target it names. */
function refs(doc: Json, prefix: string): string[] {
  const out: string[] = [];
  JSON.stringify(doc, (key, value) => {
    if (key === "$ref") out.push(String(value).slice(prefix.length));
    return value;
  });
  return out;
}

/** kubectl explain's lookup (kubectl/pkg/explain/v2/templates/plaintext.tmpl), in short. */
function explain(doc: Json, plural: string, fieldPath: string[]): Json {
  const candidates = [`/api/v1/${plural}`, `/api/v1/${plural}/{name}`].concat([
    `/api/v1/namespaces/{namespace}/${plural}`,
    `/api/v1/namespaces/{namespace}/${plural}/{name}`,
  ]);
  const gvk = candidates
    .flatMap((p) => ["get", "post", "put", "patch", "delete"].map((m) => doc.paths[p]?.[m]))
    .find((op) => op?.["x-kubernetes-group-version-kind"])?.["x-kubernetes-group-version-kind"];
  assert.ok(gvk, "a resource operation carries the GVK");
  let schema: Json = Object.values(doc.components.schemas).find((s: Json) =>
    (s["x-kubernetes-group-version-kind"] ?? []).some(
      (g: Json) =>
        JSON.stringify(Object.entries(g).sort()) === JSON.stringify(Object.entries(gvk).sort()),
    ),
  );
  assert.ok(schema, "a component schema carries the same GVK");
  const resolve = (s: Json): Json => {
    if (s.$ref)
      return resolve(doc.components.schemas[s.$ref.slice("#/components/schemas/".length)]);
    if (s.allOf?.length === 1 && !s.properties) return resolve(s.allOf[0]);
    if (s.items) return resolve(s.items);
    return s;
  };
  for (const field of fieldPath) {
    schema = resolve(schema);
    assert.ok(schema.properties?.[field], `field ${field} exists`);
    schema = schema.properties[field];
  }
  return { field: schema, type: resolve(schema) };
}

describe("OpenAPI v3", () => {
  const apps = buildOpenAPIV3({ group: "apps", version: "v1" }, RESOURCES) as Json;
  const core = buildOpenAPIV3({ group: "", version: "v1" }, RESOURCES) as Json;

  test("every PATCH, PUT and POST carries fieldValidation and the GVK in its own parameters", () => {
    const writes = operations(apps).filter(([, m]) => m !== "get" && m !== "delete");
    assert.ok(writes.length >= 9);
    for (const [path, method, op] of writes) {
      const names = op.parameters.map((p: Json) => p.name);
      assert.ok(names.includes("fieldValidation"), `${method} ${path}`);
      assert.ok(op["x-kubernetes-group-version-kind"], `${method} ${path}`);
    }
    const patch = apps.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    assert.deepEqual(patch["x-kubernetes-group-version-kind"], {
      group: "apps",
      kind: "Deployment",
      version: "v1",
    });
    assert.equal(patch.operationId, "patchAppsV1NamespacedDeployment");
    assert.deepEqual(Object.keys(patch.requestBody.content), [
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/strategic-merge-patch+json",
      "application/apply-patch+yaml",
    ]);
    const scale = apps.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"].patch;
    assert.deepEqual(scale["x-kubernetes-group-version-kind"], {
      group: "autoscaling",
      kind: "Scale",
      version: "v1",
    });
  });

  test("serves only this group-version's paths and a complete set of schemas", () => {
    assert.ok(Object.keys(apps.paths).every((p) => p.startsWith("/apis/apps/v1/")));
    assert.ok(apps.paths["/apis/apps/v1/deployments"].get, "all-namespaces list");
    for (const name of refs(apps, "#/components/schemas/")) {
      assert.ok(apps.components.schemas[name], `${name} is in components`);
    }
    const deployment = apps.components.schemas["io.k8s.api.apps.v1.Deployment"];
    assert.deepEqual(deployment["x-kubernetes-group-version-kind"], [
      { group: "apps", kind: "Deployment", version: "v1" },
    ]);
    assert.ok(
      apps.components.schemas["io.k8s.api.core.v1.PodSpec"],
      "reached through the template",
    );
    assert.equal(apps.components.schemas["io.k8s.api.core.v1.Pod"], undefined);
  });

  test("uses upstream's v3 shapes for refs with siblings, quantities and int-or-string", () => {
    const spec = apps.components.schemas["io.k8s.api.apps.v1.DeploymentSpec"];
    assert.deepEqual(spec.properties.strategy.allOf, [
      { $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy" },
    ]);
    assert.equal(spec.properties.strategy["x-kubernetes-patch-strategy"], "retainKeys");
    assert.deepEqual(
      apps.components.schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"].oneOf,
      [{ type: "string" }, { type: "number" }],
    );
    const intOrString = apps.components.schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"];
    assert.equal(intOrString.format, "int-or-string");
  });

  test("kubectl explain pods.spec.containers finds the kind, the field and its item fields", () => {
    const { field, type } = explain(core, "pods", ["spec", "containers"]);
    assert.equal(field.type, "array");
    assert.match(field.description, /merge by key "name"/);
    assert.deepEqual(type.required, ["name"]);
    assert.equal(type.properties.ports["x-kubernetes-patch-merge-key"], "containerPort");
    assert.deepEqual(type.properties.imagePullPolicy.enum, ["Always", "IfNotPresent", "Never"]);
    const { type: ns } = explain(core, "namespaces", ["spec"]);
    assert.ok(ns.properties.finalizers);
  });

  test("subresources: text logs, connect exec, eviction create", () => {
    const pod = "/api/v1/namespaces/{namespace}/pods/{name}";
    const log = core.paths[`${pod}/log`].get;
    assert.equal(log.operationId, "readCoreV1NamespacedPodLog");
    assert.deepEqual(log.responses["200"].content["text/plain"].schema, { type: "string" });
    const exec = core.paths[`${pod}/exec`];
    assert.equal(exec.post["x-kubernetes-action"], "connect");
    assert.equal(exec.get.operationId, "connectCoreV1GetNamespacedPodExec");
    assert.equal(exec.get["x-kubernetes-group-version-kind"].kind, "PodExecOptions");
    const eviction = core.paths[`${pod}/eviction`].post;
    assert.equal(
      eviction.requestBody.content["*/*"].schema.$ref,
      "#/components/schemas/io.k8s.api.policy.v1.Eviction",
    );
    assert.ok(eviction.parameters.some((p: Json) => p.name === "fieldValidation"));
    assert.equal(core.paths["/api/v1/namespaces/{name}"].get.operationId, "readCoreV1Namespace");
  });

  test("custom resources can leave strategic merge patch out", () => {
    const widget: ResourceSpec = {
      group: "example.com",
      version: "v1",
      kind: "Widget",
      plural: "widgets",
      namespaced: true,
      verbs: VERBS,
      strategicMergePatch: false,
    };
    const doc = buildOpenAPIV3({ group: "example.com", version: "v1" }, [widget]) as Json;
    const patch = doc.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"].patch;
    assert.equal(patch.operationId, "patchExampleComV1NamespacedWidget");
    assert.equal(patch.requestBody.content["application/strategic-merge-patch+json"], undefined);
    assert.ok(patch.parameters.some((p: Json) => p.name === "fieldValidation"));
  });
});

describe("wellKnownSubresource", () => {
  test("describes upstream's subresources", () => {
    const pod = { group: "", version: "v1", kind: "Pod" };
    assert.deepEqual(wellKnownSubresource("eviction", pod)?.kind, {
      group: "policy",
      version: "v1",
      kind: "Eviction",
    });
    assert.equal(wellKnownSubresource("proxy", pod)?.kind?.kind, "PodProxyOptions");
    assert.equal(wellKnownSubresource("log", pod)?.body, "text");
    assert.equal(wellKnownSubresource("nope", pod), undefined);
    const serviceAccount = { group: "", version: "v1", kind: "ServiceAccount" };
    const token = wellKnownSubresource("token", serviceAccount)!;
    const doc = buildOpenAPIV3({ group: "", version: "v1" }, [
      {
        ...serviceAccount,
        plural: "serviceaccounts",
        namespaced: true,
        verbs: VERBS,
        subresources: [token],
      },
    ]) as Json;
    const create = doc.paths["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"].post;
    assert.equal(create.operationId, "createCoreV1NamespacedServiceAccountToken");
    assert.ok(doc.components.schemas["io.k8s.api.authentication.v1.TokenRequest"]);
  });
});

describe("OpenAPI v3 index", () => {
  test("lists each group-version with a content hash", () => {
    const published = publishOpenAPIV3(RESOURCES);
    assert.deepEqual(Object.keys(published.index.paths), ["api/v1", "apis/apps/v1"]);
    const apps = published.documents.get("apis/apps/v1")!;
    assert.equal(apps.hash, documentHash(apps.json));
    assert.match(apps.hash, /^[0-9A-F]{128}$/);
    assert.equal(
      published.index.paths["apis/apps/v1"]?.serverRelativeURL,
      `/openapi/v3/apis/apps/v1?hash=${apps.hash}`,
    );
    assert.equal(openAPIV3Path({ group: "", version: "v1" }), "api/v1");
  });

  test("the hash is stable and follows the content", () => {
    const a = publishOpenAPIV3(RESOURCES).documents.get("apis/apps/v1")!.hash;
    assert.equal(publishOpenAPIV3(RESOURCES).documents.get("apis/apps/v1")!.hash, a);
    const fewer = RESOURCES.filter((r) => r.kind !== "ReplicaSet");
    assert.notEqual(publishOpenAPIV3(fewer).documents.get("apis/apps/v1")!.hash, a);
  });
});

describe("OpenAPI v2", () => {
  const v2 = buildOpenAPIV2(RESOURCES) as Json;

  test("is a Swagger 2.0 document with every group's paths and definitions", () => {
    assert.equal(v2.swagger, "2.0");
    assert.ok(v2.paths["/api/v1/namespaces/{namespace}/pods/{name}"]);
    assert.ok(v2.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]);
    for (const name of refs(v2, "#/definitions/")) assert.ok(v2.definitions[name], name);
    const quantity = v2.definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"];
    assert.equal(quantity.type, "string");
  });

  test("PATCH operations consume the patch types and take fieldValidation", () => {
    const patch = v2.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    assert.ok(patch.consumes.includes("application/strategic-merge-patch+json"));
    const names = patch.parameters.map((p: Json) => p.name);
    assert.deepEqual(names, ["body", "dryRun", "fieldManager", "fieldValidation", "force"]);
    assert.equal(
      patch.parameters[0].schema.$ref,
      "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
    );
    assert.equal(patch["x-kubernetes-group-version-kind"].kind, "Deployment");
  });
});
