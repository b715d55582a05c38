/**
 * What upstream publishes for the well-known subresources (discovery verbs, the kind read and
 * written, text or connect bodies), so a caller can turn a resource's subresource names into
 * `SubresourceSpec`s for the OpenAPI documents.
 */
import type { SubresourceSpec } from "./openapi-paths.ts";
import type { GroupVersionKind } from "./schema.ts";

const core = (kind: string): GroupVersionKind => ({ group: "", version: "v1", kind });
const READ_WRITE = ["get", "patch", "update"];
const CONNECT = ["create", "get"];

/** The subresource as upstream serves it under `parent`; undefined for names it does not know. */
export function wellKnownSubresource(
  name: string,
  parent: GroupVersionKind,
): SubresourceSpec | undefined {
  switch (name) {
    case "status":
    case "ephemeralcontainers":
    case "resize":
    case "approval":
      return { name, verbs: READ_WRITE };
    case "finalize":
      return { name, verbs: ["update"] };
    case "scale":
      return {
        name,
        verbs: READ_WRITE,
        kind: { group: "autoscaling", version: "v1", kind: "Scale" },
      };
    case "log":
      return { name, verbs: ["get"], body: "text" };
    case "exec":
      return { name, verbs: CONNECT, body: "connect", kind: core("PodExecOptions") };
    case "attach":
      return { name, verbs: CONNECT, body: "connect", kind: core("PodAttachOptions") };
    case "portforward":
      return { name, verbs: CONNECT, body: "connect", kind: core("PodPortForwardOptions") };
    case "proxy":
      return {
        name,
        verbs: ["create", "delete", "get", "patch", "update"],
        body: "connect",
        kind: core(`${parent.kind}ProxyOptions`),
      };
    case "binding":
      return { name, verbs: ["create"], kind: core("Binding") };
    case "eviction":
      return {
        name,
        verbs: ["create"],
        kind: { group: "policy", version: "v1", kind: "Eviction" },
      };
    case "token":
      return {
        name,
        verbs: ["create"],
        kind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" },
      };
    default:
      return undefined;
  }
}
