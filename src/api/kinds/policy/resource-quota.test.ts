import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceQuota } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import {
  created,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "../core/testing.ts";
import { resourceQuotaResource } from "./resource-quota.ts";

type RQ = Obj<ResourceQuota>;
const rq = (spec: ResourceQuota["spec"], status?: ResourceQuota["status"]): RQ => ({
  metadata: { name: "q", namespace: "ns", creationTimestamp: created },
  ...(spec ? { spec } : {}),
  ...(status ? { status } : {}),
});

describe("ResourceQuota", () => {
  it("accepts standard, count/ and storage-class resources", () => {
    const { errors } = simulateCreate(
      resourceQuotaResource,
      rq({
        hard: {
          pods: "10",
          "requests.cpu": "2",
          "limits.memory": "4Gi",
          "count/deployments.apps": "3",
          "gold.storageclass.storage.k8s.io/requests.storage": "10Gi",
        },
      }),
    );
    assert.deepEqual(errors, []);
  });

  it("validates hard quantities and names", () => {
    const { errors } = simulateCreate(
      resourceQuotaResource,
      rq({ hard: { pods: "1500m", cpu: "-1", storage: "1Gi", foo: "1" } }),
    );
    assert.deepEqual(errors, [
      "spec.hard[pods]: Invalid value: 1500m: must be an integer",
      'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota',
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
    ]);
  });

  it("validates scopes and the scope selector", () => {
    const { errors } = simulateCreate(
      resourceQuotaResource,
      rq({ hard: { cpu: "1" }, scopes: ["BestEffort", "NotBestEffort"] }),
    );
    assert.deepEqual(errors, [
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: unsupported scope applied to resource',
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes',
    ]);
    const sel = simulateCreate(
      resourceQuotaResource,
      rq({
        hard: { pods: "1" },
        scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In" }] },
      }),
    );
    assert.deepEqual(sel.errors, [
      "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
    ]);
  });

  it("keeps scopes immutable and validates status", () => {
    const old = simulateCreate(
      resourceQuotaResource,
      rq({ hard: { pods: "1" }, scopes: ["Terminating"] }),
    ).obj;
    const upd = simulateUpdate(resourceQuotaResource, rq({ hard: { pods: "1" } }), old);
    assert.deepEqual(upd.errors, [
      "spec.scopes: Invalid value: []core.ResourceQuotaScope(nil): field is immutable",
    ]);
    const st = simulateStatusUpdate(
      resourceQuotaResource,
      rq(undefined, { used: { pods: "-1" } }),
      old,
    );
    assert.deepEqual(st.errors, [
      'status.used[pods]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });

  it("prints used/hard split into REQUEST and LIMIT", () => {
    const obj = rq(
      { hard: {} },
      {
        hard: { pods: "10", "limits.cpu": "2", "requests.memory": "1Gi", "limits.memory": "2Gi" },
        used: { pods: "1", "limits.cpu": "500m" },
      },
    );
    assert.deepEqual(printRow(resourceQuotaResource, obj, t0 + 3_600_000), {
      Name: "q",
      Age: "60m",
      Request: "pods: 1/10, requests.memory: 0/1Gi",
      Limit: "limits.cpu: 500m/2, limits.memory: 0/2Gi",
    });
  });
});
