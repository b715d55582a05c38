/**
 * meta.k8s.io/v1 Table rendering for `kubectl get`: the kind's printer columns, one row per
 * object, and each row's object as PartialObjectMetadata (or the full object, or nothing).
 */
import type { KubeObject } from "../../api/object.ts";
import { defaultPrinter, type Printer } from "../../api/printer.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import type { Negotiated } from "../http/negotiate.ts";

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: object[];
  rows: Array<{ cells: unknown[]; object?: object }>;
}

function printerOf(def: ResourceDefinition): Printer<KubeObject> {
  return (def.strategy.printer as Printer<KubeObject> | undefined) ?? defaultPrinter;
}

function rowObject(obj: KubeObject, include: Negotiated["includeObject"]): object | undefined {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return {
    kind: "PartialObjectMetadata",
    apiVersion: "meta.k8s.io/v1",
    metadata: obj.metadata ?? {},
  };
}

export function toTable(
  def: ResourceDefinition,
  objects: readonly KubeObject[],
  options: {
    include: Negotiated["includeObject"];
    now: number;
    listMeta?: { resourceVersion?: string; continue?: string };
    /** Watch events after the first may omit the columns. */
    withColumns?: boolean;
  },
): Table {
  const printer = printerOf(def);
  const rows = objects.map((obj) => {
    const object = rowObject(obj, options.include);
    return { cells: printer.row(obj, options.now), ...(object ? { object } : {}) };
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: options.listMeta ?? {},
    columnDefinitions: options.withColumns === false ? [] : [...printer.columns],
    rows,
  };
}
