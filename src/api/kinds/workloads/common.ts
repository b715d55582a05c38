/**
 * Helpers the workload kinds share: the object type strategies see, the printer columns and
 * cells every workload prints, numeric-field checks, and the Go renderings (`%#v`) upstream's
 * messages use for label maps, selectors and int-or-string values.
 *
 * Imports only `machinery/` and `api/`; never `apiserver/` or `storage/`.
 */
import { randomInt } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import type { IntOrString } from "../../../machinery/intstr.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import { fieldImmutableErrorMsg, isNegativeErrorMsg } from "../../../machinery/object-meta.ts";
import type { Container, LabelSelector, ObjectMeta } from "../../generated/types.ts";
import type { KubeObject } from "../../object.ts";
import { age, column, type TableColumn } from "../../printer.ts";

/** A generated API type as the registry hands it to a strategy (a plain JSON object). */
export type Obj<T> = T & KubeObject;

export type FieldErrors = field.FieldError[];

export const isNotPositiveErrorMsg = "must be greater than 0";

export function nameColumn(): TableColumn {
  return column("Name", {
    description:
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  });
}

export function ageColumn(): TableColumn {
  return column("Age", {
    description:
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  });
}

/** The wide Containers and Images columns of kinds with a pod template. */
export function containerColumns(): TableColumn[] {
  return [
    column("Containers", {
      priority: 1,
      description: "Names of each container in the template.",
    }),
    column("Images", {
      priority: 1,
      description: "Images referenced by each container in the template.",
    }),
  ];
}

export function selectorColumn(): TableColumn {
  return column("Selector", {
    priority: 1,
    description:
      "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
  });
}

interface HasMeta {
  metadata?: ObjectMeta;
}

export const nameOf = (obj: HasMeta): string => obj.metadata?.name ?? "";

export const ageOf = (obj: HasMeta, now: number): string =>
  age(obj.metadata?.creationTimestamp, now);

/** `layoutContainerCells`: container names and images, comma-separated. */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(","), list.map((c) => c.image ?? "").join(",")];
}

/** A selector as `LabelSelectorAsSelector(...).String()` prints it; "<error>" when invalid. */
export function selectorString(selector: LabelSelector | undefined): string {
  try {
    return selectorFromLabelSelector(selector).toString();
  } catch {
    return "<error>";
  }
}

/** `metav1.FormatLabelSelector`: like `selectorString` but "<none>" when it selects nothing. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = selectorString(selector);
  return s === "" ? "<none>" : s;
}

/** `labels.FormatLabels`: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${labels?.[k]}`).join(",");
}

// ---- numeric fields ----

export function validateNonnegativeField(value: number, path: FieldPath): FieldErrors {
  return value < 0 ? [field.invalid(path, value, isNegativeErrorMsg)] : [];
}

export function validatePositiveField(value: number, path: FieldPath): FieldErrors {
  return value <= 0 ? [field.invalid(path, value, isNotPositiveErrorMsg)] : [];
}

/** `ValidateImmutableField`: `Invalid value: <new>: field is immutable` when the values differ. */
export function validateImmutableField(
  next: unknown,
  old: unknown,
  path: FieldPath,
  render: (v: unknown) => field.BadValue = (v) => (v ?? null) as field.BadValue,
): FieldErrors {
  if (isDeepStrictEqual(next ?? null, old ?? null)) return [];
  return [field.invalid(path, render(next), fieldImmutableErrorMsg)];
}

// ---- Go renderings (`%#v`) used as bad values ----

/** `map[string]string{"a":"b", "c":"d"}` (Go sorts map keys); nil as `map[string]string(nil)`. */
export function goStringMap(map: Record<string, string> | undefined): field.RawValue {
  if (map === undefined) return new field.RawValue("map[string]string(nil)");
  const entries = Object.keys(map)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(map[k] ?? "")}`);
  return new field.RawValue(`map[string]string{${entries.join(", ")}}`);
}

function goStrings(values: readonly string[] | undefined): string {
  return values === undefined ? "[]string(nil)" : `[]string{${values.map(goQuote).join(", ")}}`;
}

/** A label selector as upstream prints it: `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`. */
export function goLabelSelector(selector: unknown): field.BadValue {
  if (selector === undefined || selector === null) return null;
  const s = selector as LabelSelector;
  const exprs =
    s.matchExpressions === undefined
      ? "[]v1.LabelSelectorRequirement(nil)"
      : `[]v1.LabelSelectorRequirement{${s.matchExpressions
          .map(
            (e) =>
              `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStrings(e.values)}}`,
          )
          .join(", ")}}`;
  const labels = goStringMap(s.matchLabels).text;
  return new field.RawValue(`v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`);
}

/** `intstr.IntOrString{Type:0, IntVal:1, StrVal:""}`, as Go prints the struct. */
export function goIntOrString(v: IntOrString | undefined): field.RawValue {
  if (typeof v === "string") {
    return new field.RawValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
  }
  return new field.RawValue(`intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`);
}

// ---- names ----

const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** Fills metadata.name from generateName (upstream does so before prepareForCreate). */
export function ensureGeneratedName(obj: KubeObject): void {
  const meta = obj.metadata;
  if (!meta || meta.name || !meta.generateName) return;
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)];
  meta.name = meta.generateName + suffix;
}

/** Status counters must not be negative (the common part of upstream's status validation). */
export function validateStatusCounters(status: unknown, fields: readonly string[]): FieldErrors {
  const s = (status ?? {}) as Record<string, unknown>;
  const errs: FieldErrors = [];
  for (const name of fields) {
    const v = s[name];
    if (typeof v === "number") errs.push(...validateNonnegativeField(v, newPath("status", name)));
  }
  return errs;
}
