/**
 * ResourceQuota (upstream `plugin/pkg/admission/resourcequota`): a create is refused when it
 * would take a namespace past a quota's hard limits:
 *
 *   exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2
 *
 * Usage is computed here from the reader's objects (upstream reads the quota's status.used, kept
 * by the quota controller), and the limits are spec.hard. Quotas apply to objects inside their
 * scopes; a pod must state the cpu/memory resources a quota tracks.
 *
 * Reads resourcequotas and the objects being counted from the `AdmissionReader`.
 */
import type { ResourceQuota } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { evaluatorFor, type QuotaEvaluator } from "../../../api/quota/evaluators.ts";
import { prettyPrint, toResourceList } from "../../../api/quota/resource-list.ts";
import { inScope, mask, usedBy } from "../../../api/quota/usage.ts";
import { compareStrings } from "../../../machinery/apply/go-json.ts";
import { newQuantity } from "../../../machinery/quantity.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { admissionForbidden } from "./forbidden.ts";
import { type AdmissionReader, listAs } from "./reader.ts";

export interface ResourceQuotaOptions {
  readonly reader: AdmissionReader;
}

interface CheckInput {
  readonly attrs: AdmissionAttributes;
  readonly ev: QuotaEvaluator;
  readonly quota: ResourceQuota;
  readonly existing: () => KubeObject[];
}

/** One quota against the new object; throws Forbidden when it does not fit. */
function checkQuota({ attrs, ev, quota, existing }: CheckInput): void {
  const obj = attrs.object as KubeObject;
  const name = quota.metadata?.name ?? "";
  const hard = toResourceList(quota.spec?.hard);
  const matched = [...hard.keys()].filter((n) => ev.matches(n));
  if (matched.length === 0 || !inScope(ev, quota, obj)) return;
  const missing = ev.constraints(matched, obj);
  if (missing !== undefined) throw admissionForbidden(attrs, `failed quota: ${name}: ${missing}`);
  const requested = mask(ev.usage(obj), matched);
  if ([...requested.values()].every((q) => q.isZero())) return;
  const used = usedBy(existing(), ev, quota, matched);
  const exceeded = [...requested.keys()].filter((n) => {
    const limit = hard.get(n);
    const total = (used.get(n) ?? newQuantity(0, "DecimalSI")).add(
      requested.get(n) ?? newQuantity(0, "DecimalSI"),
    );
    return limit !== undefined && total.cmp(limit) > 0;
  });
  if (exceeded.length === 0) return;
  throw admissionForbidden(
    attrs,
    `exceeded quota: ${name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
  );
}

export function resourceQuotaAdmission(options: ResourceQuotaOptions): AdmissionPlugin {
  const { reader } = options;
  return {
    name: "ResourceQuota",
    async validate(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource !== "" || attrs.object === undefined)
        return;
      if (!attrs.resource.namespaced || attrs.namespace === "") return;
      const quotas = listAs<ResourceQuota>(reader, "", "resourcequotas", attrs.namespace).sort(
        (a, b) => compareStrings(a.metadata?.name ?? "", b.metadata?.name ?? ""),
      );
      if (quotas.length === 0) return;
      const { group, plural } = attrs.resource;
      const ev = evaluatorFor(group, plural);
      const ownName = attrs.object.metadata?.name;
      let cache: KubeObject[] | undefined;
      const existing = () =>
        (cache ??= reader
          .list(group, plural, attrs.namespace)
          .filter((o) => o.metadata?.name !== ownName || !ownName));
      for (const quota of quotas) checkQuota({ attrs, ev, quota, existing });
    },
  };
}
