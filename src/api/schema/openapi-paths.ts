/**
 * The REST operations of served resources, as upstream's OpenAPI documents list them: per path,
 * the operations with their `operationId`, `x-kubernetes-action`, `x-kubernetes-group-version-kind`,
 * query parameters, request body and responses. Rendered to v3 by openapi.ts and to v2 by
 * openapi-v2.ts.
 *
 * Every write (POST, PUT, PATCH) carries `fieldValidation`, `fieldManager` and `dryRun` in its own
 * parameters: kubectl's `--validate=strict` probe looks for `fieldValidation` on the first PATCH
 * operation tagged with the kind, ignoring path-level parameters.
 */
import type { GroupVersionKind, SchemaTable } from "./schema.ts";

/** A served resource, as the API server's resource table describes it. */
export interface ResourceSpec {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The resource name in URLs, e.g. "deployments". */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Discovery verbs: get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verbs: readonly string[];
  readonly subresources?: readonly SubresourceSpec[];
  /** Offer `application/strategic-merge-patch+json` on PATCH (default true; false for CRDs). */
  readonly strategicMergePatch?: boolean;
}

export interface SubresourceSpec {
  /** E.g. "status", "scale", "log", "exec", "eviction". */
  readonly name: string;
  /** Discovery verbs: get, create, update, patch. */
  readonly verbs: readonly string[];
  /** The kind read and written (scale: autoscaling/v1 Scale); default the resource's kind. */
  readonly kind?: GroupVersionKind;
  /**
   * "object" (default): JSON objects of `kind`; "text": GET answers plain text (pods/log);
   * "connect": a streamed connection (exec, attach, portforward, proxy).
   */
  readonly body?: "object" | "text" | "connect";
}

export type Method = "get" | "put" | "post" | "patch" | "delete";

export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query";
  readonly type: "string" | "integer" | "boolean";
  readonly required?: boolean;
}

export interface Response {
  readonly code: "200" | "201" | "202";
  /** The definition returned; absent for text responses. */
  readonly definition?: string;
  readonly contentTypes: readonly string[];
}

export interface Operation {
  readonly method: Method;
  readonly operationId: string;
  readonly tag: string;
  readonly action: string;
  readonly gvk: GroupVersionKind;
  readonly parameters: readonly Parameter[];
  readonly requestBody?: {
    readonly definition: string;
    readonly contentTypes: readonly string[];
    readonly required: boolean;
  };
  readonly responses: readonly Response[];
}

export interface PathItem {
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly operations: readonly Operation[];
}

export const STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
export const DELETE_OPTIONS = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
export const PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

/** "name:type name …" → query parameters (type defaults to string). */
function query(spec: string): Parameter[] {
  return spec.split(" ").map((entry) => {
    const [name = "", type = "string"] = entry.split(":");
    return { name, in: "query", type: type as Parameter["type"] };
  });
}

const WATCH_PARAMS = query("allowWatchBookmarks:boolean watch:boolean");
const SELECT_PARAMS = query(
  "continue fieldSelector labelSelector limit:integer resourceVersion resourceVersionMatch sendInitialEvents:boolean timeoutSeconds:integer",
);
const WRITE_PARAMS = query("dryRun fieldManager fieldValidation");
const DELETE_PARAMS = query(
  "dryRun gracePeriodSeconds:integer ignoreStoreReadErrorWithClusterBreakingPotential:boolean orphanDependents:boolean propagationPolicy",
);
const SUBRESOURCE_PARAMS: Readonly<Record<string, readonly Parameter[]>> = {
  log: query(
    "container follow:boolean insecureSkipTLSVerifyBackend:boolean limitBytes:integer previous:boolean sinceSeconds:integer stream tailLines:integer timestamps:boolean",
  ),
  exec: query("command container stderr:boolean stdin:boolean stdout:boolean tty:boolean"),
  attach: query("container stderr:boolean stdin:boolean stdout:boolean tty:boolean"),
  portforward: query("ports:integer"),
  proxy: query("path"),
};
const PRETTY = query("pretty");
const NAMESPACE: Parameter = { name: "namespace", in: "path", type: "string", required: true };
const NAME: Parameter = { name: "name", in: "path", type: "string", required: true };

const JSON_TYPES = ["application/json"];
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json"];
const SMP_TYPE = "application/strategic-merge-patch+json";
const APPLY_TYPE = "application/apply-patch+yaml";

/** "" → "Core", "rbac.authorization.k8s.io" → "RbacAuthorization", as in upstream operationIds. */
export function groupIdentifier(group: string): string {
  if (group === "") return "Core";
  return group
    .replace(/\.k8s\.io$/, "")
    .split(/[.-]/)
    .map(capitalize)
    .join("");
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** How a discovery verb appears as an operation; body and responses follow from the method. */
interface ActionTemplate {
  readonly method: Method;
  /** operationId verb: "read" + "AppsV1NamespacedDeployment". */
  readonly id: string;
  readonly action: string;
  readonly parameters: readonly Parameter[];
}

const LIST_PARAMS = [...WATCH_PARAMS.slice(0, 1), ...SELECT_PARAMS, ...WATCH_PARAMS.slice(1)];
const PATCH_PARAMS = [...WRITE_PARAMS, ...query("force:boolean")];

const ACTIONS: Readonly<Record<string, ActionTemplate>> = {
  list: { method: "get", id: "list", action: "list", parameters: LIST_PARAMS },
  create: { method: "post", id: "create", action: "post", parameters: WRITE_PARAMS },
  deletecollection: {
    method: "delete",
    id: "delete",
    action: "deletecollection",
    parameters: [...DELETE_PARAMS, ...SELECT_PARAMS],
  },
  get: { method: "get", id: "read", action: "get", parameters: [] },
  update: { method: "put", id: "replace", action: "put", parameters: WRITE_PARAMS },
  patch: { method: "patch", id: "patch", action: "patch", parameters: PATCH_PARAMS },
  delete: { method: "delete", id: "delete", action: "delete", parameters: DELETE_PARAMS },
};

const COLLECTION_VERBS = ["list", "create", "deletecollection"];
const OBJECT_VERBS = ["get", "update", "patch", "delete"];
/** Subresources are read, created (eviction, binding, token) and written, never listed. */
const SUBRESOURCE_VERBS = ["get", "create", "update", "patch"];
const CONNECT_METHODS: Readonly<Record<string, Method>> = {
  get: "get",
  create: "post",
  update: "put",
  patch: "patch",
  delete: "delete",
};
const CODES: Readonly<Record<Method, readonly Response["code"][]>> = {
  get: ["200"],
  post: ["200", "201", "202"],
  put: ["200", "201"],
  patch: ["200", "201"],
  delete: ["200", "202"],
};

interface Context {
  readonly gvk: GroupVersionKind;
  readonly tag: string;
  /** The definition of the object read and written. */
  readonly object: string | undefined;
  readonly list: string | undefined;
  readonly patchTypes: readonly string[];
  /** Text or stream operations (log, exec…): no request body, one text response. */
  readonly text?: readonly string[];
}

function operation(template: ActionTemplate, operationId: string, ctx: Context): Operation {
  const { method, action } = template;
  const common = { method, operationId, tag: ctx.tag, action, gvk: ctx.gvk };
  const parameters = template.parameters;
  if (ctx.text) return { ...common, parameters, responses: [respond("200", undefined, ctx.text)] };
  const returns = action === "list" ? ctx.list : method === "delete" ? STATUS : ctx.object;
  const codes = action === "deletecollection" ? (["200"] as const) : CODES[method];
  const types = action === "list" ? [...JSON_TYPES, "application/json;stream=watch"] : JSON_TYPES;
  const requestBody =
    method === "patch"
      ? { definition: PATCH, contentTypes: ctx.patchTypes, required: true }
      : method === "delete"
        ? { definition: DELETE_OPTIONS, contentTypes: ["*/*"], required: false }
        : method !== "get" && ctx.object !== undefined
          ? { definition: ctx.object, contentTypes: ["*/*"], required: true }
          : undefined;
  return {
    ...common,
    parameters,
    ...(requestBody && { requestBody }),
    responses: codes.map((code) => respond(code, returns, types)),
  };
}

/** The paths and operations of one resource and its subresources. */
export function resourcePaths(resource: ResourceSpec, table: SchemaTable): PathItem[] {
  const { group, version, kind, namespaced, verbs } = resource;
  const gvk = { group, version, kind };
  const prefix = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  const collection = `${prefix}${namespaced ? "/namespaces/{namespace}" : ""}/${resource.plural}`;
  const scope = namespaced ? [NAMESPACE] : [];
  const gv = groupIdentifier(group) + capitalize(version);
  const ns = namespaced ? "Namespaced" : "";
  const groupTag = groupIdentifier(group);
  const ctx: Context = {
    gvk,
    tag: `${groupTag.charAt(0).toLowerCase()}${groupTag.slice(1)}_${version}`,
    object: table.definitionNameFor(gvk),
    list: table.definitionNameFor({ ...gvk, kind: `${kind}List` }),
    patchTypes: [
      ...PATCH_TYPES,
      ...(resource.strategicMergePatch === false ? [] : [SMP_TYPE]),
      APPLY_TYPE,
    ],
  };
  const items: PathItem[] = [];
  const add = (path: string, parameters: readonly Parameter[], operations: Operation[]) => {
    if (operations.length > 0) items.push({ path, parameters, operations });
  };
  const pick = (from: readonly string[], wanted: readonly string[]) =>
    from.filter((verb) => wanted.includes(verb)).map((verb) => [verb, ACTIONS[verb]!] as const);

  add(
    collection,
    [...scope, ...PRETTY],
    pick(COLLECTION_VERBS, verbs).map(([verb, t]) =>
      operation(
        t,
        `${t.id}${gv}${verb === "deletecollection" ? "Collection" : ""}${ns}${kind}`,
        ctx,
      ),
    ),
  );
  if (namespaced && verbs.includes("list")) {
    add(`${prefix}/${resource.plural}`, PRETTY, [
      operation(ACTIONS.list!, `list${gv}${kind}ForAllNamespaces`, ctx),
    ]);
  }
  const item = `${collection}/{name}`;
  add(
    item,
    [NAME, ...scope, ...PRETTY],
    pick(OBJECT_VERBS, verbs).map(([, t]) => operation(t, `${t.id}${gv}${ns}${kind}`, ctx)),
  );

  for (const sub of resource.subresources ?? []) {
    const subCtx: Context = {
      ...ctx,
      gvk: sub.kind ?? gvk,
      object: table.definitionNameFor(sub.kind ?? gvk),
    };
    const id = `${gv}${ns}${kind}${capitalize(sub.name)}`;
    const parameters = SUBRESOURCE_PARAMS[sub.name] ?? [];
    let operations: Operation[];
    if (sub.body === "connect") {
      const connect = { ...subCtx, text: ["*/*"] };
      operations = sub.verbs.flatMap((verb) => {
        const method = CONNECT_METHODS[verb];
        if (!method) return [];
        const t = { method, id: "connect", action: "connect", parameters };
        return [
          operation(
            t,
            `connect${gv}${capitalize(method)}${ns}${kind}${capitalize(sub.name)}`,
            connect,
          ),
        ];
      });
    } else if (sub.body === "text") {
      const text = { ...subCtx, text: ["text/plain", ...JSON_TYPES] };
      operations = pick(["get"], sub.verbs).map(([, t]) =>
        operation({ ...t, parameters }, `read${id}`, text),
      );
    } else {
      operations = pick(SUBRESOURCE_VERBS, sub.verbs).map(([, t]) =>
        operation(t, `${t.id}${id}`, subCtx),
      );
    }
    add(
      `${item}/${sub.name}`,
      [NAME, ...scope, ...(sub.body === "connect" ? [] : PRETTY)],
      operations,
    );
  }
  return items;
}

function respond(
  code: Response["code"],
  definition: string | undefined,
  contentTypes: readonly string[] = JSON_TYPES,
): Response {
  return definition === undefined ? { code, contentTypes } : { code, definition, contentTypes };
}
