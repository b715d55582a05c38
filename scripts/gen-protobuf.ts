/**
 * Generates src/api/generated/protobuf/k8s-protobuf.json, everything the API server needs to
 * decode `application/vnd.kubernetes.protobuf` request bodies:
 *
 * - `descriptor`: the protobufjs JSON descriptor of the built-in types (k8s.io/api v0.34), minus
 *   the per-message `edition` noise, plus three fields the reference descriptor lost (every field
 *   named `options`);
 * - `kinds`: apiVersion → kind → fully qualified message name;
 * - `messages`: per message, how its protobuf fields map onto Kubernetes JSON: embedded structs
 *   inlined into the parent (`json:",inline"`), fields whose JSON name differs from the proto name,
 *   scalar fields the OpenAPI document marks required (Go writes their zero value to JSON), and
 *   named slice types (`Verbs`, `ExtraValue`) that are plain arrays in JSON.
 *
 * Inputs: ../shared/reference/data (or --data DIR): the protobuf descriptor and the OpenAPI v2
 * document (used for structure only: GVKs, property names, required lists).
 * Usage: node scripts/gen-protobuf.ts [--data DIR] [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { goPointerFields } from "../src/machinery/protobuf/pointer-fields.ts";

const DESCRIPTOR = "k8s-v1.34.9-protobuf-descriptor.json";
const OPENAPI = "kubernetes-v1.34.swagger.enums.json";
const OUT = new URL("../src/api/generated/protobuf/k8s-protobuf.json", import.meta.url);

/** Protobuf package (`k8s.io.api.<pkg>.<version>`) → API group. */
const PACKAGE_GROUPS: Record<string, string> = {
  core: "",
  apps: "apps",
  batch: "batch",
  policy: "policy",
  autoscaling: "autoscaling",
  networking: "networking.k8s.io",
  rbac: "rbac.authorization.k8s.io",
  coordination: "coordination.k8s.io",
  discovery: "discovery.k8s.io",
  certificates: "certificates.k8s.io",
  storage: "storage.k8s.io",
  authentication: "authentication.k8s.io",
  authorization: "authorization.k8s.io",
  events: "events.k8s.io",
  scheduling: "scheduling.k8s.io",
  node: "node.k8s.io",
  admissionregistration: "admissionregistration.k8s.io",
  flowcontrol: "flowcontrol.apiserver.k8s.io",
  apidiscovery: "apidiscovery.k8s.io",
};
const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
/** Registered in every group version by metav1.AddToGroupVersion. */
const OPTIONS_KINDS = [
  "CreateOptions",
  "UpdateOptions",
  "PatchOptions",
  "GetOptions",
  "ListOptions",
];
const SCALARS = new Set([
  "string",
  "bool",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "double",
  "float",
]);

/** Fields named `options` are missing from the reference descriptor (upstream field numbers). */
const RESTORED_FIELDS: Record<string, Record<string, FieldJson>> = {
  "k8s.io.api.core.v1.FlexVolumeSource": { options: { keyType: "string", type: "string", id: 5 } },
  "k8s.io.api.core.v1.FlexPersistentVolumeSource": {
    options: { keyType: "string", type: "string", id: 5 },
  },
  "k8s.io.api.core.v1.PodDNSConfig": {
    options: { rule: "repeated", type: "PodDNSConfigOption", id: 3 },
  },
};

interface FieldJson {
  type: string;
  id: number;
  rule?: string;
  keyType?: string;
}
interface TypeJson {
  fields: Record<string, FieldJson>;
}
interface NamespaceJson {
  nested?: Record<string, NamespaceJson | TypeJson>;
}
interface OpenApiDefinition {
  properties?: Record<string, unknown>;
  required?: string[];
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
}
interface MessageShape {
  inline?: string[];
  rename?: Record<string, string>;
  required?: string[];
  list?: true;
}

const { values: args } = parseArgs({
  options: { data: { type: "string" }, check: { type: "boolean" } },
});
const dataDir = args.data ?? new URL("../../shared/reference/data/", import.meta.url).pathname;
const readJson = (name: string): unknown => JSON.parse(readFileSync(`${dataDir}/${name}`, "utf8"));
const descriptor = readJson(DESCRIPTOR) as NamespaceJson;
const definitions = (readJson(OPENAPI) as { definitions: Record<string, OpenApiDefinition> })
  .definitions;

/** Walks the descriptor; returns fully qualified message name → message, dropping `edition`. */
function collectMessages(ns: NamespaceJson, prefix: string, out: Map<string, TypeJson>): void {
  for (const [name, child] of Object.entries(ns.nested ?? {})) {
    const fq = prefix ? `${prefix}.${name}` : name;
    if ("fields" in child) {
      const restored = RESTORED_FIELDS[fq];
      const type: TypeJson = { fields: { ...child.fields, ...restored } };
      (ns.nested as Record<string, TypeJson>)[name] = type;
      out.set(fq, type);
    } else {
      collectMessages(child, fq, out);
      if (Object.keys(child.nested ?? {}).length === 0) delete ns.nested?.[name];
    }
  }
}
const messages = new Map<string, TypeJson>();
collectMessages(descriptor, "", messages);

const definitionOf = (fq: string): OpenApiDefinition | undefined =>
  definitions[fq.replace(/^k8s\.io\./, "io.k8s.")];
/** Resolves a field's type name the way protobuf does: relative to the enclosing package. */
function resolveType(fq: string, type: string): string | undefined {
  if (type.startsWith(".")) return messages.has(type.slice(1)) ? type.slice(1) : undefined;
  for (let scope = fq.slice(0, fq.lastIndexOf(".")); scope; ) {
    if (messages.has(`${scope}.${type}`)) return `${scope}.${type}`;
    const dot = scope.lastIndexOf(".");
    scope = dot < 0 ? "" : scope.slice(0, dot);
  }
  return messages.has(type) ? type : undefined;
}

/** The JSON property names a message contributes when inlined (recursively). */
function jsonNames(fq: string, shapes: Map<string, MessageShape>): string[] {
  const shape = shapes.get(fq);
  const names: string[] = [];
  for (const [field, f] of Object.entries(messages.get(fq)?.fields ?? {})) {
    const inner = resolveType(fq, f.type);
    if (shape?.inline?.includes(field) && inner) names.push(...jsonNames(inner, shapes));
    else names.push(shape?.rename?.[field] ?? field);
  }
  return names;
}

function buildShapes(): Map<string, MessageShape> {
  const shapes = new Map<string, MessageShape>();
  const shapeOf = (fq: string): MessageShape => {
    const shape = shapes.get(fq) ?? {};
    shapes.set(fq, shape);
    return shape;
  };
  // Named slice types (`type Verbs []string`) have no OpenAPI definition of their own.
  for (const [fq, type] of messages) {
    const fields = Object.entries(type.fields);
    if (fields.length === 1 && fields[0]?.[0] === "items" && !definitionOf(fq)) {
      shapeOf(fq).list = true;
    }
  }
  // Inline and rename, innermost first: repeat until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [fq, type] of messages) {
      const props = Object.keys(definitionOf(fq)?.properties ?? {});
      if (props.length === 0) continue;
      const known = new Set(jsonNames(fq, shapes));
      const missing = props.filter((p) => !known.has(p) && p !== "kind" && p !== "apiVersion");
      for (const [field, f] of Object.entries(type.fields)) {
        const shape = shapes.get(fq);
        if (props.includes(field) || shape?.inline?.includes(field) || shape?.rename?.[field]) {
          continue;
        }
        const inner = resolveType(fq, f.type);
        const innerNames = inner ? jsonNames(inner, shapes) : [];
        const renamed = missing.find((p) => p.toLowerCase() === field.toLowerCase());
        if (renamed) {
          shapeOf(fq).rename = { ...shape?.rename, [field]: renamed };
          changed = true;
        } else if (innerNames.length > 0 && innerNames.every((n) => missing.includes(n))) {
          shapeOf(fq).inline = [...(shape?.inline ?? []), field];
          changed = true;
        }
      }
    }
  }
  for (const [fq, type] of messages) {
    const protoName = Object.fromEntries(
      Object.entries(shapes.get(fq)?.rename ?? {}).map(([proto, json]) => [json, proto]),
    );
    const required = (definitionOf(fq)?.required ?? []).flatMap((p) => {
      const name = protoName[p] ?? p;
      const field = type.fields[name];
      return field && SCALARS.has(field.type) && !field.rule && !field.keyType ? [name] : [];
    });
    if (required.length > 0) shapeOf(fq).required = required;
  }
  return shapes;
}

function buildKinds(): Record<string, Record<string, string>> {
  const kinds: Record<string, Record<string, string>> = {};
  const add = (apiVersion: string, kind: string, fq: string): void => {
    kinds[apiVersion] = { ...kinds[apiVersion], [kind]: fq };
  };
  const served = new Set(["v1", "meta.k8s.io/v1"]);
  for (const fq of messages.keys()) {
    const m = /^k8s\.io\.api\.(\w+)\.(\w+)\.\w+$/.exec(fq);
    if (!m?.[1] || !m[2]) continue;
    const group = PACKAGE_GROUPS[m[1]];
    if (group === undefined) throw new Error(`no API group known for package ${m[1]} (${fq})`);
    served.add(group ? `${group}/${m[2]}` : m[2]);
  }
  for (const fq of messages.keys()) {
    for (const gvk of definitionOf(fq)?.["x-kubernetes-group-version-kind"] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (served.has(apiVersion)) add(apiVersion, gvk.kind, fq);
    }
  }
  for (const apiVersion of served) {
    for (const kind of OPTIONS_KINDS) add(apiVersion, kind, `${META}.${kind}`);
  }
  for (const kind of ["DeleteOptions", "WatchEvent", "Status", "TableOptions", "List"]) {
    add("meta.k8s.io/v1", kind, `${META}.${kind}`);
  }
  for (const kind of ["PartialObjectMetadata", "PartialObjectMetadataList"]) {
    add("meta.k8s.io/v1", kind, `${META}.${kind}`);
  }
  add("v1", "List", "k8s.io.api.core.v1.List");
  for (const kind of ["APIGroupDiscovery", "APIGroupDiscoveryList"]) {
    add("apidiscovery.k8s.io/v2", kind, `k8s.io.api.apidiscovery.v2.${kind}`);
  }
  checkKinds(kinds);
  return kinds;
}

/** Every kind of a `k8s.io.api.<pkg>.<version>` message must sit in that package's group. */
function checkKinds(kinds: Record<string, Record<string, string>>): void {
  for (const [apiVersion, byKind] of Object.entries(kinds)) {
    for (const [kind, fq] of Object.entries(byKind)) {
      if (!messages.has(fq)) throw new Error(`${apiVersion} ${kind}: no message ${fq}`);
      const m = /^k8s\.io\.api\.(\w+)\.(\w+)\./.exec(fq);
      if (!m?.[1] || !m[2]) continue;
      const group = PACKAGE_GROUPS[m[1]];
      const expected = group ? `${group}/${m[2]}` : m[2];
      if (expected !== apiVersion) throw new Error(`${apiVersion} ${kind} maps to ${fq}`);
    }
  }
}

function checkPointerFields(): string[] {
  const problems: string[] = [];
  for (const [pkg, byMessage] of Object.entries(goPointerFields)) {
    for (const [message, fields] of Object.entries(byMessage)) {
      const type = messages.get(`${pkg}.${message}`);
      for (const field of fields) {
        const f = type?.fields[field];
        if (!f || !SCALARS.has(f.type) || f.rule) problems.push(`${pkg}.${message}.${field}`);
      }
    }
  }
  return problems;
}

/** OpenAPI properties that no protobuf field produces (should be none). */
function uncoveredProperties(shapes: Map<string, MessageShape>): string[] {
  const out: string[] = [];
  for (const fq of messages.keys()) {
    const names = new Set(jsonNames(fq, shapes));
    for (const p of Object.keys(definitionOf(fq)?.properties ?? {})) {
      if (!names.has(p) && p !== "kind" && p !== "apiVersion") out.push(`${fq}.${p}`);
    }
  }
  return out;
}

/** Objects nest over lines down to `depth`; below it each value is one line, so diffs are small. */
function render(value: unknown, depth: (key: string, v: unknown) => boolean, indent = ""): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const inner = `${indent} `;
  const entries = Object.entries(value).map(([k, v]) => {
    const text = depth(k, v) ? render(v, depth, inner) : JSON.stringify(v);
    return `${inner}${JSON.stringify(k)}:${text}`;
  });
  return `{\n${entries.join(",\n")}\n${indent}}`;
}
/** The top level, tables and descriptor namespaces nest; a message or a shape is one line. */
const nests = (key: string, v: unknown): boolean =>
  ["kinds", "messages", "descriptor", "nested"].includes(key) ||
  (typeof v === "object" && v !== null && "nested" in v) ||
  (typeof v === "object" && v !== null && Object.values(v).every((x) => typeof x === "string"));

const shapes = buildShapes();
const artifact = {
  source: DESCRIPTOR,
  kinds: buildKinds(),
  messages: Object.fromEntries([...shapes].sort(([a], [b]) => (a < b ? -1 : 1))),
  descriptor,
};
const problems = checkPointerFields();
if (problems.length > 0) throw new Error(`pointer-fields.ts names unknown fields: ${problems}`);
const uncovered = uncoveredProperties(shapes);
if (uncovered.length > 0) throw new Error(`JSON properties with no protobuf field: ${uncovered}`);
const text = `${render(artifact, nests)}\n`;
if (args.check) {
  const current = readFileSync(OUT, "utf8");
  if (current !== text) throw new Error(`${OUT.pathname} is out of date; run gen-protobuf.ts`);
} else {
  writeFileSync(OUT, text);
}
const kindCount = Object.values(artifact.kinds).reduce((n, k) => n + Object.keys(k).length, 0);
console.log(
  `${OUT.pathname}: ${text.length} bytes, ${messages.size} messages, ` +
    `${Object.keys(artifact.kinds).length} apiVersions, ${kindCount} kinds`,
);
