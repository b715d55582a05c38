import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointSlice, Lease, StorageClass } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { endpointSliceResource } from "./endpoint-slice.ts";
import { leaseResource } from "./lease.ts";
import { storageClassResource } from "./storage-class.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "./testing.ts";

const meta = { name: "x", namespace: "default", creationTimestamp: created };

describe("EndpointSlice", () => {
  const slice = (extra: Partial<EndpointSlice>): Obj<EndpointSlice> =>
    ({ metadata: meta, endpoints: [], ...extra }) as Obj<EndpointSlice>;

  it("defaults port names and protocols and accepts matching addresses", () => {
    const { obj, errors } = simulateCreate(
      endpointSliceResource,
      slice({
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.244.1.5"], nodeName: "worker-1" }],
        ports: [{ port: 80 }],
      }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.ports, [{ port: 80, name: "", protocol: "TCP" }]);
  });

  it("requires the address type and addresses of that type", () => {
    const missing = simulateCreate(endpointSliceResource, slice({ addressType: "" as "IPv4" }));
    assert.deepEqual(missing.errors, ["addressType: Required value"]);
    const { errors } = simulateCreate(
      endpointSliceResource,
      slice({
        addressType: "IPv6",
        endpoints: [{ addresses: ["10.0.0.1", "::1"] }, { addresses: [] }],
      }),
    );
    assert.deepEqual(errors, [
      'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
      'endpoints[0].addresses[1]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      "endpoints[1].addresses: Required value: must contain at least 1 address",
    ]);
    const fqdn = simulateCreate(
      endpointSliceResource,
      slice({ addressType: "FQDN", endpoints: [{ addresses: ["localhost"] }] }),
    );
    assert.deepEqual(fqdn.errors, [
      'endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
    ]);
  });

  it("rejects duplicate port names and a changed address type", () => {
    const old = simulateCreate(endpointSliceResource, slice({ addressType: "IPv4" })).obj;
    const { errors } = simulateUpdate(
      endpointSliceResource,
      slice({
        addressType: "IPv6",
        ports: [
          { name: "http", port: 80 },
          { name: "http", port: 81 },
        ],
      }),
      old,
    );
    assert.deepEqual(errors, [
      'ports[1].name: Duplicate value: "http"',
      'addressType: Invalid value: "IPv6": field is immutable',
    ]);
  });

  it("prints ports and endpoints", () => {
    const s = slice({
      addressType: "IPv4",
      ports: [{ port: 80 }, { name: "dns" }],
      endpoints: [{ addresses: ["10.0.0.1", "10.0.0.2"] }, { addresses: ["10.0.0.3", "10.0.0.4"] }],
    });
    assert.deepEqual(printRow(endpointSliceResource, s, t0), {
      Name: "x",
      AddressType: "IPv4",
      Ports: "80,dns",
      Endpoints: "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...",
      Age: "0s",
    });
    assert.equal(
      printRow(endpointSliceResource, slice({ addressType: "IPv4" }), t0).Ports,
      "<unset>",
    );
  });
});

describe("Lease", () => {
  const lease = (spec: Lease["spec"]): Obj<Lease> => ({
    metadata: meta,
    ...(spec ? { spec } : {}),
  });

  it("is created on update and prints its holder", () => {
    assert.equal(leaseResource.strategy.allowCreateOnUpdate, true);
    const l = lease({ holderIdentity: "cp-1", leaseDurationSeconds: 15 });
    assert.deepEqual(simulateCreate(leaseResource, l).errors, []);
    assert.deepEqual(printRow(leaseResource, l, t0), { Name: "x", Holder: "cp-1", Age: "0s" });
  });

  it("validates durations, transitions and the preferred holder", () => {
    const { errors } = simulateCreate(
      leaseResource,
      lease({ leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: "b" }),
    );
    assert.deepEqual(errors, [
      "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
      "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
      "spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined",
    ]);
  });
});

describe("StorageClass", () => {
  const sc = (extra: Partial<StorageClass>): Obj<StorageClass> =>
    ({
      metadata: { name: "local-path", creationTimestamp: created },
      ...extra,
    }) as Obj<StorageClass>;

  it("defaults the reclaim policy and binding mode", () => {
    const { obj, errors } = simulateCreate(
      storageClassResource,
      sc({ provisioner: "rancher.io/local-path" }),
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.reclaimPolicy, "Delete");
    assert.equal(obj.volumeBindingMode, "Immediate");
  });

  it("requires a provisioner and a known reclaim policy", () => {
    const { errors } = simulateCreate(
      storageClassResource,
      sc({ provisioner: "", reclaimPolicy: "Recycle", parameters: { "": "x" } }),
    );
    assert.deepEqual(errors, [
      "provisioner: Required value",
      'parameters: Invalid value: "": field can not be empty.',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    ]);
  });

  it("keeps provisioner, parameters and binding mode fixed", () => {
    const old = simulateCreate(
      storageClassResource,
      sc({ provisioner: "a.io/p", parameters: { k: "v" } }),
    ).obj;
    const { errors } = simulateUpdate(
      storageClassResource,
      sc({
        provisioner: "b.io/p",
        parameters: { k: "w" },
        volumeBindingMode: "WaitForFirstConsumer",
      }),
      old,
    );
    assert.deepEqual(errors, [
      "parameters: Forbidden: updates to parameters are forbidden.",
      "provisioner: Forbidden: updates to provisioner are forbidden.",
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
    const expand = simulateUpdate(
      storageClassResource,
      { ...old, allowVolumeExpansion: true },
      old,
    );
    assert.deepEqual(expand.errors, []);
  });

  it("marks the default class when printing", () => {
    const { obj } = simulateCreate(
      storageClassResource,
      sc({
        metadata: {
          name: "local-path",
          creationTimestamp: created,
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "rancher.io/local-path",
        volumeBindingMode: "WaitForFirstConsumer",
      }),
    );
    assert.deepEqual(printRow(storageClassResource, obj, t0), {
      Name: "local-path (default)",
      Provisioner: "rancher.io/local-path",
      ReclaimPolicy: "Delete",
      VolumeBindingMode: "WaitForFirstConsumer",
      AllowVolumeExpansion: false,
      Age: "0s",
    });
  });
});
