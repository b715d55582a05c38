/**
 * CRD names (upstream `ValidateCustomResourceDefinitionNames`): plural, singular, short names and
 * categories are DNS-1035 labels; kind and listKind are too, up to case, and differ.
 */
import * as field from "../../machinery/field-errors.ts";
import type { FieldPath } from "../../machinery/field-path.ts";
import { isDNS1035Label } from "../../machinery/validation.ts";
import type { CustomResourceDefinitionNames } from "../generated/types.ts";

type Errors = field.FieldError[];

/** spec.names: the four names are required, then checked. */
export function validateSpecNames(names: CustomResourceDefinitionNames, path: FieldPath): Errors {
  const errs: Errors = [];
  for (const key of ["plural", "singular", "kind", "listKind"] as const) {
    if (!names?.[key]) errs.push(field.required(path.child(key), ""));
  }
  return names ? [...errs, ...validateNames(names, path)] : errs;
}

/** `ValidateCustomResourceDefinitionNames`. */
export function validateNames(names: CustomResourceDefinitionNames, path: FieldPath): Errors {
  const errs: Errors = [];
  const dns = (value: string | undefined, p: FieldPath, lower = false, prefix = "") => {
    if (!value) return;
    const msgs = isDNS1035Label(lower ? value.toLowerCase() : value);
    if (msgs.length > 0) errs.push(field.invalid(p, value, prefix + msgs.join(",")));
  };
  const mixed = "may have mixed case, but should otherwise match: ";
  dns(names.plural, path.child("plural"));
  dns(names.singular, path.child("singular"));
  dns(names.kind, path.child("kind"), true, mixed);
  dns(names.listKind, path.child("listKind"), true, mixed);
  names.shortNames?.forEach((s, i) => {
    dns(s, path.child("shortNames").index(i));
  });
  if (names.kind && names.kind === names.listKind) {
    errs.push(
      field.invalid(
        path.child("listKind"),
        names.listKind,
        "kind and listKind may not be the same",
      ),
    );
  }
  names.categories?.forEach((c, i) => {
    dns(c, path.child("categories").index(i));
  });
  return errs;
}
