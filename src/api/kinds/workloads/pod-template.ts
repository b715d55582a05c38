/**
 * core/v1 PodTemplate (upstream `pkg/registry/core/podtemplate`): the embedded template defaulted
 * as a pod spec, `ValidatePodTemplate` (the template at `template`), generation bumped when the
 * template changes, and the `kubectl get podtemplates` table.
 */
import { newPath } from "../../../machinery/field-path.ts";
import type { PodTemplate } from "../../generated/types.ts";
import { column, type Printer } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { containerCells, formatLabels, nameColumn, nameOf, type Obj } from "./common.ts";
import { defaultPodTemplateSpec } from "./pod-defaults.ts";
import { validatePodTemplateSpec } from "./pod-validation.ts";

type PodTemplateObj = Obj<PodTemplate>;

/** The template is not a pointer upstream: an absent one is defaulted (and then fails validation). */
export function defaultPodTemplate(pt: PodTemplate): void {
  pt.template ??= {};
  defaultPodTemplateSpec(pt.template);
}

/** `ValidatePodTemplate` / `ValidatePodTemplateUpdate` without object meta (the registry's part). */
export const validatePodTemplate = (pt: PodTemplate) =>
  validatePodTemplateSpec(pt.template, newPath("template"));

/** `printPodTemplate`. */
export const podTemplatePrinter: Printer<PodTemplate> = {
  columns: [
    nameColumn(),
    column("Containers", { description: "Names of each container in the template." }),
    column("Images", { description: "Images referenced by each container in the template." }),
    column("Pod Labels", { description: "The labels for the pod template." }),
  ],
  row(pt) {
    return [
      nameOf(pt),
      ...containerCells(pt.template?.spec?.containers),
      formatLabels(pt.template?.metadata?.labels),
    ];
  },
};

export const podTemplateResource: ResourceDefinition<PodTemplateObj> = {
  group: "",
  version: "v1",
  kind: "PodTemplate",
  plural: "podtemplates",
  singular: "podtemplate",
  namespaced: true,
  strategy: {
    // Upstream sets generation 1 on create and bumps it when the template changes: everything
    // but metadata (PodTemplate has no status) is the template.
    tracksGeneration: true,
    defaults: defaultPodTemplate,
    validate: validatePodTemplate,
    validateUpdate: validatePodTemplate,
    printer: podTemplatePrinter,
  },
};
