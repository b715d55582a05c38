/**
 * The storage.k8s.io kinds this folder defines (the CSI kinds and VolumeAttributesClass), as the
 * resource table wants them. StorageClass lives with the core kinds. See README.md.
 */
import type { ResourceDefinition } from "../../resource.ts";
import { csiDriverResource } from "./csi-driver.ts";
import { csiNodeResource } from "./csi-node.ts";
import { csiStorageCapacityResource } from "./csi-storage-capacity.ts";
import { volumeAttachmentResource } from "./volume-attachment.ts";
import { volumeAttributesClassResource } from "./volume-attributes-class.ts";

export const storageResources: ResourceDefinition[] = [
  volumeAttachmentResource as unknown as ResourceDefinition,
  csiDriverResource as unknown as ResourceDefinition,
  csiNodeResource as unknown as ResourceDefinition,
  csiStorageCapacityResource as unknown as ResourceDefinition,
  volumeAttributesClassResource as unknown as ResourceDefinition,
];
