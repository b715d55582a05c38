/** Every controller the controller manager runs, in the order they start. */
import { bootstrapSignerFactory } from "./bootstrap/bootstrap-signer.ts";
import { tokenCleanerFactory } from "./bootstrap/token-cleaner.ts";
import { csrApprovingControllerFactory } from "./certificates/csr-approving-controller.ts";
import { csrSigningControllerFactory } from "./certificates/csr-signing-controller.ts";
import { kubeDnsEndpointsControllerFactory } from "./clusterdns/kube-dns-endpoints-controller.ts";
import type { ControllerFactory } from "./context.ts";
import { cronJobControllerFactory } from "./cronjob/cronjob-controller.ts";
import { daemonSetControllerFactory } from "./daemonset/daemon-set-controller.ts";
import { deploymentControllerFactory } from "./deployment/deployment-controller.ts";
import { disruptionControllerFactory } from "./disruption/disruption-controller.ts";
import { endpointsControllerFactory } from "./endpoints/endpoints-controller.ts";
import { endpointSliceControllerFactory } from "./endpointslice/endpointslice-controller.ts";
import { garbageCollectorFactory } from "./garbagecollector/garbage-collector.ts";
import { ingressStatusControllerFactory } from "./ingressstatus/ingress-status-controller.ts";
import { jobControllerFactory } from "./job/job-controller.ts";
import { namespaceControllerFactory } from "./namespace/namespace-controller.ts";
import { nodeIpamControllerFactory } from "./nodeipam/node-ipam-controller.ts";
import { nodeLifecycleControllerFactory } from "./nodelifecycle/node-lifecycle-controller.ts";
import { taintEvictionControllerFactory } from "./nodelifecycle/taint-eviction-controller.ts";
import { horizontalControllerFactory } from "./podautoscaler/horizontal-controller.ts";
import { podGCControllerFactory } from "./podgc/pod-gc-controller.ts";
import { replicaSetControllerFactory } from "./replicaset/replica-set-controller.ts";
import { replicationControllerFactory } from "./replication/replication-controller.ts";
import { resourceQuotaControllerFactory } from "./resourcequota/resource-quota-controller.ts";
import { rootCAPublisherFactory } from "./rootca/root-ca-publisher.ts";
import { serviceAccountsControllerFactory } from "./serviceaccount/serviceaccounts-controller.ts";
import { serviceLBControllerFactory } from "./servicelb/service-lb-controller.ts";
import { statefulSetControllerFactory } from "./statefulset/stateful-set-controller.ts";
import { ttlAfterFinishedControllerFactory } from "./ttl/ttl-after-finished-controller.ts";
import { localPathProvisionerFactory } from "./volume/localpath/local-path-provisioner.ts";
import { persistentVolumeControllerFactory } from "./volume/persistentvolume/pv-controller.ts";
import { pvcProtectionControllerFactory } from "./volume/pvcprotection/pvc-protection-controller.ts";
import { pvProtectionControllerFactory } from "./volume/pvprotection/pv-protection-controller.ts";

export const allControllers: readonly ControllerFactory[] = [
  serviceAccountsControllerFactory,
  rootCAPublisherFactory,
  bootstrapSignerFactory,
  tokenCleanerFactory,
  csrApprovingControllerFactory,
  csrSigningControllerFactory,
  namespaceControllerFactory,
  nodeIpamControllerFactory,
  nodeLifecycleControllerFactory,
  taintEvictionControllerFactory,
  endpointsControllerFactory,
  endpointSliceControllerFactory,
  kubeDnsEndpointsControllerFactory,
  ingressStatusControllerFactory,
  serviceLBControllerFactory,
  replicaSetControllerFactory,
  replicationControllerFactory,
  deploymentControllerFactory,
  statefulSetControllerFactory,
  daemonSetControllerFactory,
  jobControllerFactory,
  cronJobControllerFactory,
  disruptionControllerFactory,
  horizontalControllerFactory,
  resourceQuotaControllerFactory,
  ttlAfterFinishedControllerFactory,
  persistentVolumeControllerFactory,
  localPathProvisionerFactory,
  pvcProtectionControllerFactory,
  pvProtectionControllerFactory,
  garbageCollectorFactory,
  podGCControllerFactory,
];
