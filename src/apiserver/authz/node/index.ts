/** The Node authorizer; see README.md. */
export { MemoryNodeGraphSource, type NodeGraphSource } from "./graph-source.ts";
export { NodeAuthorizer, nodeIdentity, nodeLeaseNamespace, nodesGroup } from "./node-authorizer.ts";
export { type PodReferences, podReferences } from "./pod-references.ts";
