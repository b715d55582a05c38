/**
 * Generates the API schema artifacts from the upstream OpenAPI v2 document:
 *
 *   node scripts/gen-api.ts [--source <swagger.json>] [--check]
 *
 * reads ../shared/reference/data/kubernetes-v1.34.swagger.enums.json (relative to the repository)
 * and writes
 *
 *   src/api/generated/schema.json  the structural table of every definition (no description text)
 *   src/api/generated/types.ts     TypeScript interfaces for the definitions
 *
 * Both are committed, so a fresh clone builds without the reference data. `--check` writes nothing
 * and fails when the committed files differ from what the source produces. Upstream prose is left
 * out on purpose: only names, types, formats, enums, required lists and `x-kubernetes-*`
 * extensions are kept.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

type Node = { [key: string]: unknown };

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const defaultSource = join(
  repoRoot,
  "..",
  "shared",
  "reference",
  "data",
  "kubernetes-v1.34.swagger.enums.json",
);
const outDir = join(repoRoot, "src", "api", "generated");

/** Keys dropped from every schema node: prose only. */
const PROSE_KEYS = new Set(["description"]);

/** Definitions whose TypeScript form is not derived from their (empty) structure. */
const TS_OVERRIDES: Record<string, string> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "number | string",
  "io.k8s.apimachinery.pkg.runtime.RawExtension": "unknown",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "unknown",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray":
    "JSONSchemaProps | JSONSchemaProps[]",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool":
    "JSONSchemaProps | boolean",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray":
    "JSONSchemaProps | string[]",
};

function main(): void {
  const args = process.argv.slice(2);
  const at = args.indexOf("--source");
  const source = at >= 0 && args[at + 1] ? args[at + 1]! : defaultSource;
  const raw = readFileSync(source);
  const sha256 = createHash("sha256").update(raw).digest("hex");
  const swagger = JSON.parse(raw.toString("utf8")) as { definitions: Record<string, Node> };

  const definitions: Record<string, Node> = {};
  for (const name of Object.keys(swagger.definitions).sort()) {
    definitions[name] = structural(swagger.definitions[name]!);
  }
  const outputs = [
    ["schema.json", renderSchemaJson({ source: basename(source), sha256, definitions })],
    ["types.ts", renderTypes(definitions)],
  ] as const;
  mkdirSync(outDir, { recursive: true });
  let stale = 0;
  for (const [file, text] of outputs) {
    const path = join(outDir, file);
    const shown = `${relative(process.cwd(), path)} (${Buffer.byteLength(text)} bytes)`;
    if (!args.includes("--check")) {
      writeFileSync(path, text);
      console.log(`wrote ${shown}`);
    } else if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
      console.error(`stale: ${shown}; run node scripts/gen-api.ts`);
      stale++;
    }
  }
  console.log(`${Object.keys(definitions).length} definitions from ${basename(source)}`);
  if (stale > 0) process.exitCode = 1;
}

/** A schema node without prose; `$ref`s shortened to the bare definition name. */
function structural(node: Node): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    if (PROSE_KEYS.has(key)) continue;
    if (key === "$ref") out[key] = String(value).replace(/^#\/definitions\//, "");
    else if (key === "properties") {
      const props: Node = {};
      for (const [prop, sub] of Object.entries(value as Record<string, Node>)) {
        props[prop] = structural(sub);
      }
      out[key] = props;
    } else if ((key === "items" || key === "additionalProperties") && isNode(value)) {
      out[key] = structural(value);
    } else if (key === "allOf" && Array.isArray(value)) {
      out[key] = value.map((v: Node) => structural(v));
    } else out[key] = value;
  }
  return out;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One definition per line: small, and reviewable as a diff when the source changes. */
function renderSchemaJson(table: {
  source: string;
  sha256: string;
  definitions: Record<string, Node>;
}): string {
  const lines = Object.entries(table.definitions).map(
    ([name, node]) => `${JSON.stringify(name)}:${JSON.stringify(node)}`,
  );
  return (
    `{"source":${JSON.stringify(table.source)},"sha256":${JSON.stringify(table.sha256)},` +
    `"definitions":{\n${lines.join(",\n")}\n}}\n`
  );
}

/** The TypeScript name of every definition (see the rule in the header of types.ts). */
function typeNames(names: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(lastSegment(name), (counts.get(lastSegment(name)) ?? 0) + 1);
  const result = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const name of names) {
    const short = lastSegment(name);
    const tsName = counts.get(short)! > 1 ? groupVersionPrefix(name) + short : short;
    const clash = taken.get(tsName);
    if (clash) throw new Error(`type name ${tsName} is used by ${clash} and ${name}`);
    taken.set(tsName, name);
    result.set(name, tsName);
  }
  return result;
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/** "io.k8s.api.events.v1.Event" → "EventsV1": the package's group and version segments. */
function groupVersionPrefix(name: string): string {
  const parts = name.split(".");
  const group = parts.at(-3) ?? "";
  const version = parts.at(-2) ?? "";
  return pascal(group) + pascal(version);
}

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

function renderTypes(definitions: Record<string, Node>): string {
  const names = typeNames(Object.keys(definitions));
  const out: string[] = [TYPES_HEADER];
  for (const [name, node] of Object.entries(definitions)) {
    const tsName = names.get(name)!;
    const gvk = (node["x-kubernetes-group-version-kind"] as Node[] | undefined)?.[0];
    const origin = gvk ? ` — ${gvk.group || "core"}/${gvk.version} ${gvk.kind}` : "";
    out.push(`/** \`${name}\`${origin} */`);
    const override = TS_OVERRIDES[name];
    const props = node.properties as Record<string, Node> | undefined;
    if (override) out.push(`export type ${tsName} = ${override};`);
    else if (!props) out.push(`export type ${tsName} = ${tsType(node, names)};`);
    else {
      const required = new Set((node.required as string[] | undefined) ?? []);
      out.push(`export interface ${tsName} {`);
      for (const [prop, sub] of Object.entries(props)) {
        const key = /^[A-Za-z_$][\w$]*$/.test(prop) ? prop : JSON.stringify(prop);
        out.push(`  ${key}${required.has(prop) ? "" : "?"}: ${tsType(sub, names)};`);
      }
      out.push("}");
    }
    out.push("");
  }
  return out.join("\n");
}

function tsType(node: Node, names: Map<string, string>): string {
  if (typeof node.$ref === "string") {
    const target = names.get(node.$ref);
    if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
    return target;
  }
  if (Array.isArray(node.enum)) {
    return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  }
  switch (node.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array": {
      const inner = tsType(isNode(node.items) ? node.items : {}, names);
      return inner.includes(" ") ? `(${inner})[]` : `${inner}[]`;
    }
    case "object":
      if (isNode(node.additionalProperties)) {
        return `Record<string, ${tsType(node.additionalProperties, names)}>`;
      }
      return "Record<string, unknown>";
    default:
      return "unknown";
  }
}

const TYPES_HEADER = `/**
 * TypeScript types for the Kubernetes v1.34 API definitions.
 * GENERATED by scripts/gen-api.ts from the upstream OpenAPI document; do not edit.
 *
 * Naming rule (stable, so other components can import by name):
 * - A definition is named by the last segment of its OpenAPI name:
 *   \`io.k8s.api.core.v1.Pod\` → \`Pod\`, \`io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta\` → \`ObjectMeta\`.
 * - When several definitions share that last segment, EVERY one of them is prefixed with its
 *   package's group and version segments in PascalCase, none keeps the bare name:
 *   \`io.k8s.api.core.v1.Event\` → \`CoreV1Event\`, \`io.k8s.api.events.v1.Event\` → \`EventsV1Event\`,
 *   \`io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler\` → \`AutoscalingV2HorizontalPodAutoscaler\`,
 *   \`io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ServiceReference\` →
 *   \`ApiextensionsV1ServiceReference\`.
 *
 * Shapes: fields are optional unless the schema lists them as required; enums are unions of
 * their string values; maps are \`Record<string, T>\`. IntOrString = number | string; Quantity,
 * Time and MicroTime are strings; RawExtension and JSON are unknown.
 * The comment above each type names its OpenAPI definition (and group/version kind, if any).
 */
`;

main();
