/**
 * Priority (upstream `plugin/pkg/admission/priority`): a new pod's spec.priority and
 * spec.preemptionPolicy come from its PriorityClass, or from the globalDefault class when it
 * names none (the lowest-valued one if several claim it; 0 and PreemptLowerPriority when there is
 * none). A pod that names a missing class, or states a priority or policy that disagrees with its
 * class, is refused. A PriorityClass may only be marked globalDefault when no other class is.
 *
 * Reads scheduling.k8s.io priorityclasses from the `AdmissionReader`.
 */
import type { Pod, PriorityClass } from "../../../api/generated/types.ts";
import type { AdmissionPlugin } from "../admission.ts";
import { admissionForbidden, isResource } from "./forbidden.ts";
import { type AdmissionReader, getAs, listAs } from "./reader.ts";

const group = "scheduling.k8s.io";
const plural = "priorityclasses";
/** `scheduling.DefaultPriorityWhenNoDefaultClassExists`. */
export const defaultPriority = 0;

export interface PriorityOptions {
  readonly reader: AdmissionReader;
}

/** The globalDefault class with the lowest value (`getDefaultPriorityClass`). */
export function defaultPriorityClass(classes: readonly PriorityClass[]): PriorityClass | undefined {
  return classes
    .filter((pc) => pc.globalDefault === true)
    .reduce<PriorityClass | undefined>(
      (low, pc) => (!low || pc.value < low.value ? pc : low),
      undefined,
    );
}

export function priorityAdmission(options: PriorityOptions): AdmissionPlugin {
  const classes = () => listAs<PriorityClass>(options.reader, group, plural, "");
  return {
    name: "Priority",
    async admit(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource !== "") return;
      if (!isResource(attrs, "", "pods") || attrs.object === undefined) return;
      const pod = attrs.object as Pod;
      pod.spec ??= { containers: [] };
      const spec = pod.spec;
      let value = defaultPriority;
      let policy: PriorityClass["preemptionPolicy"] = "PreemptLowerPriority";
      if (!spec.priorityClassName) {
        const def = defaultPriorityClass(classes());
        if (def) {
          spec.priorityClassName = def.metadata?.name ?? "";
          value = def.value;
          policy = def.preemptionPolicy;
        }
      } else {
        const pc = getAs<PriorityClass>(options.reader, group, plural, "", spec.priorityClassName);
        if (!pc) {
          throw admissionForbidden(
            attrs,
            `no PriorityClass with name ${spec.priorityClassName} was found`,
          );
        }
        value = pc.value;
        policy = pc.preemptionPolicy;
      }
      if (typeof spec.priority === "number" && spec.priority !== value) {
        throw admissionForbidden(
          attrs,
          `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
        );
      }
      spec.priority = value;
      if (policy !== undefined) {
        if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
          throw admissionForbidden(
            attrs,
            `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
          );
        }
        spec.preemptionPolicy = policy;
      }
    },
    async validate(attrs) {
      if (!isResource(attrs, group, plural) || attrs.subresource !== "") return;
      if (attrs.operation !== "CREATE" && attrs.operation !== "UPDATE") return;
      const pc = attrs.object as PriorityClass | undefined;
      if (pc?.globalDefault !== true) return;
      const name = pc.metadata?.name ?? "";
      const other = classes().find((c) => c.globalDefault === true && c.metadata?.name !== name);
      if (other) {
        throw admissionForbidden(
          attrs,
          `PriorityClass ${other.metadata?.name} is already marked as default. Only one default can exist`,
        );
      }
    },
  };
}
