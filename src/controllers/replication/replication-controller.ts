/**
 * The ReplicationController manager (upstream `pkg/controller/replication`): the ReplicaSet
 * controller run over ReplicationControllers seen as ReplicaSets. It creates and deletes pods
 * to match `spec.replicas`, adopts and releases pods by the RC's (equality) selector with owner
 * references of kind ReplicationController, and writes the same status (replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration, ReplicaFailure).
 */
import { resources } from "../../client/resources.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { convertingLister, type ReplicaSetKindAdapter } from "../replicaset/kind-adapter.ts";
import {
  newBaseController,
  type ReplicaSetControllerOptions,
} from "../replicaset/replica-set-controller.ts";
import {
  fromStored,
  type ReplicationControllerObj,
  rcFromReplicaSet,
  replicaSetFromRC,
} from "./conversion.ts";

export const replicationControllerAdapter: ReplicaSetKindAdapter = {
  name: "replicationcontroller",
  kind: { apiVersion: "v1", kind: "ReplicationController" },
  resource: resources.replicationcontrollers,
  informer: (informers) =>
    convertingLister(
      informers.informer<ReplicationControllerObj>(resources.replicationcontrollers),
      replicaSetFromRC,
    ),
  fromStored,
  toStored: rcFromReplicaSet,
};

/** Upstream `NewReplicationManager`. */
export function newReplicationManager(
  ctx: ControllerContext,
  options: ReplicaSetControllerOptions = {},
): Controller {
  return newBaseController(ctx, replicationControllerAdapter, options);
}

export const replicationControllerFactory: ControllerFactory = {
  name: "replicationcontroller",
  eventSource: "replication-controller",
  create: (ctx) => newReplicationManager(ctx),
};
