/**
 * RuntimeClass (upstream `plugin/pkg/admission/runtimeclass`): a new pod that names a
 * RuntimeClass gets the class's `overhead.podFixed` as `spec.overhead`, the class's
 * `scheduling.nodeSelector` merged into its node selector and the class's tolerations merged
 * into its own. A pod naming a missing class, stating a different overhead, or selecting another
 * value for one of the class's node labels is refused; so is a pod that sets an overhead its
 * class does not define (or without a class).
 *
 * Reads node.k8s.io runtimeclasses from the `AdmissionReader`.
 */
import type { Pod, RuntimeClass } from "../../../api/generated/types.ts";
import { type ResourceList, toResourceList } from "../../../api/quota/resource-list.ts";
import { mergeTolerations } from "../../../api/scheduling/merge-tolerations.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { admissionForbidden, isResource } from "./forbidden.ts";
import { type AdmissionReader, getAs } from "./reader.ts";

const group = "node.k8s.io";
const plural = "runtimeclasses";

export interface RuntimeClassOptions {
  readonly reader: AdmissionReader;
}

const overheadMismatch =
  "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";

/** `apiequality.Semantic.DeepEqual` of two resource lists (nil equals empty; 1 equals 1000m). */
function sameResources(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
) {
  const x: ResourceList = toResourceList(a);
  const y: ResourceList = toResourceList(b);
  if (x.size !== y.size) return false;
  for (const [name, q] of x) {
    const other = y.get(name);
    if (other === undefined || other.cmp(q) !== 0) return false;
  }
  return true;
}

const shouldIgnore = (attrs: AdmissionAttributes) =>
  attrs.operation !== "CREATE" ||
  attrs.subresource !== "" ||
  !isResource(attrs, "", "pods") ||
  attrs.object === undefined;

/** `prepareObjects`: the pod and its class (undefined when it names none); a missing class is refused. */
function prepareObjects(
  reader: AdmissionReader,
  attrs: AdmissionAttributes,
): { pod: Pod; runtimeClass: RuntimeClass | undefined } {
  const pod = attrs.object as Pod;
  const name = pod.spec?.runtimeClassName;
  if (name === undefined || name === null) return { pod, runtimeClass: undefined };
  const runtimeClass = getAs<RuntimeClass>(reader, group, plural, "", name);
  if (!runtimeClass) {
    throw admissionForbidden(attrs, `pod rejected: RuntimeClass ${goQuote(name)} not found`);
  }
  return { pod, runtimeClass };
}

/** `setOverhead`. */
function setOverhead(attrs: AdmissionAttributes, pod: Pod, rc: RuntimeClass | undefined): void {
  if (!rc?.overhead) return;
  const podFixed = rc.overhead.podFixed;
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  const stated = spec.overhead ?? undefined;
  if (stated !== undefined && !sameResources(podFixed, stated)) {
    throw admissionForbidden(attrs, overheadMismatch);
  }
  if (podFixed === undefined) delete spec.overhead;
  else spec.overhead = { ...podFixed };
}

/** `setScheduling`: the class's node selector and tolerations join the pod's. */
function setScheduling(attrs: AdmissionAttributes, pod: Pod, rc: RuntimeClass | undefined): void {
  const scheduling = rc?.scheduling;
  if (!scheduling) return;
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  const classSelector = scheduling.nodeSelector ?? {};
  if (spec.nodeSelector === undefined) {
    if (scheduling.nodeSelector !== undefined) spec.nodeSelector = { ...classSelector };
  } else {
    const selector = spec.nodeSelector;
    for (const key of Object.keys(classSelector).sort()) {
      const classValue = classSelector[key] ?? "";
      const podValue = selector[key];
      if (podValue !== undefined && podValue !== classValue) {
        throw admissionForbidden(
          attrs,
          `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${classValue}; pod.spec.nodeSelector[${key}] = ${podValue}`,
        );
      }
      selector[key] = classValue;
    }
  }
  const tolerations = mergeTolerations(spec.tolerations ?? [], scheduling.tolerations ?? []);
  if (tolerations.length > 0) spec.tolerations = tolerations;
  else delete spec.tolerations;
}

/** `validateOverhead`: the pod's overhead is exactly its class's, and none without one. */
function validateOverhead(attrs: AdmissionAttributes, pod: Pod, rc: RuntimeClass | undefined) {
  const overhead = pod.spec?.overhead;
  if (rc?.overhead) {
    if (!sameResources(rc.overhead.podFixed, overhead)) {
      throw admissionForbidden(attrs, overheadMismatch);
    }
  } else if ((overhead ?? undefined) !== undefined) {
    throw admissionForbidden(
      attrs,
      "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead",
    );
  }
}

export function runtimeClassAdmission(options: RuntimeClassOptions): AdmissionPlugin {
  return {
    name: "RuntimeClass",
    async admit(attrs) {
      if (shouldIgnore(attrs)) return;
      const { pod, runtimeClass } = prepareObjects(options.reader, attrs);
      setOverhead(attrs, pod, runtimeClass);
      setScheduling(attrs, pod, runtimeClass);
    },
    async validate(attrs) {
      if (shouldIgnore(attrs)) return;
      const { pod, runtimeClass } = prepareObjects(options.reader, attrs);
      validateOverhead(attrs, pod, runtimeClass);
    },
  };
}
