/**
 * Admission warnings (upstream `warning.AddWarning`): strings the API server returns in
 * `Warning` headers. Plugins hand them to a `WarningSink`; the default sink appends to
 * `attrs.warnings` when the attributes carry such an array, and drops them otherwise.
 */
import type { AdmissionAttributes } from "../admission.ts";

export type WarningSink = (attrs: AdmissionAttributes, warning: string) => void;

/** The default sink: `attrs.warnings.push(warning)` when `attrs.warnings` is an array. */
export const attributeWarnings: WarningSink = (attrs, warning) => {
  if ("warnings" in attrs && Array.isArray(attrs.warnings)) attrs.warnings.push(warning);
};
