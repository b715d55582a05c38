/**
 * Content negotiation: what the client accepts (plain JSON or a meta.k8s.io Table) and what it
 * sent (JSON, YAML, protobuf, or a patch type).
 */
export type Rendering = "object" | "table";

export interface Negotiated {
  readonly rendering: Rendering;
  /** For tables: None | Metadata | Object (default Metadata). */
  readonly includeObject: "None" | "Metadata" | "Object";
}

/** Picks the first acceptable media type; kubectl lists Table first, then JSON. */
export function negotiate(accept: string | undefined, query: URLSearchParams): Negotiated {
  const include = query.get("includeObject");
  const includeObject = include === "None" || include === "Object" ? include : "Metadata";
  for (const part of (accept ?? "").split(",")) {
    const [type = "", ...params] = part.split(";").map((p) => p.trim());
    const p = Object.fromEntries(
      params.map((kv) => {
        const [k = "", v = ""] = kv.split("=");
        return [k.trim(), v.trim()];
      }),
    );
    if (
      p.as === "Table" &&
      (p.g ?? "meta.k8s.io") === "meta.k8s.io" &&
      type === "application/json"
    ) {
      return { rendering: "table", includeObject };
    }
    if (
      p.as === undefined &&
      /^(application\/json|\*\/\*|application\/\*|application\/vnd\.kubernetes\.protobuf)$/.test(
        type,
      )
    ) {
      return { rendering: "object", includeObject };
    }
  }
  return { rendering: "object", includeObject };
}

export type BodyType = "json" | "yaml" | "protobuf";
export type PatchType = "json" | "merge" | "strategic" | "apply";

export function bodyTypeOf(contentType: string | undefined): BodyType | undefined {
  const type = (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type === "") return "json";
  if (type === "application/yaml" || type === "application/x-yaml" || type === "text/yaml") {
    return "yaml";
  }
  if (type === "application/vnd.kubernetes.protobuf") return "protobuf";
  return undefined;
}

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  switch (type) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+cbor":
      return "apply";
    default:
      return undefined;
  }
}

export const acceptedBodyTypes = [
  "application/json",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
];

export const acceptedPatchTypes = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
];
