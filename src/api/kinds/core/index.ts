/**
 * The core, networking, discovery, coordination and storage kinds this folder defines, as the
 * resource table wants them. See README.md for what each strategy does and leaves out.
 */
import type { ResourceDefinition } from "../../resource.ts";
import { bindingResource } from "./binding.ts";
import { componentStatusResource } from "./component-status.ts";
import { configMapResource } from "./config-map.ts";
import { endpointSliceResource } from "./endpoint-slice.ts";
import { endpointsResource } from "./endpoints.ts";
import { eventResource } from "./event.ts";
import { eventsV1Resource } from "./events-v1.ts";
import { ingressResource } from "./ingress.ts";
import { ingressClassResource } from "./ingress-class.ts";
import { leaseResource } from "./lease.ts";
import { namespaceResource } from "./namespace.ts";
import { networkPolicyResource } from "./network-policy.ts";
import { nodeResource } from "./node.ts";
import { persistentVolumeResource } from "./persistent-volume.ts";
import { persistentVolumeClaimResource } from "./persistent-volume-claim.ts";
import { secretResource } from "./secret.ts";
import { serviceResource } from "./service.ts";
import { serviceAccountResource } from "./service-account.ts";
import { storageClassResource } from "./storage-class.ts";

export const coreResources: ResourceDefinition[] = [
  namespaceResource,
  nodeResource,
  serviceResource,
  endpointsResource,
  configMapResource,
  secretResource,
  serviceAccountResource,
  eventResource,
  persistentVolumeResource,
  persistentVolumeClaimResource,
  eventsV1Resource,
  ingressResource,
  ingressClassResource,
  networkPolicyResource,
  bindingResource,
  componentStatusResource as unknown as ResourceDefinition,
  endpointSliceResource,
  leaseResource,
  storageClassResource,
];
