import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointSubset } from "../../generated/types.ts";
import { endpointsResource } from "./endpoints.ts";
import { created, printRow, simulateCreate, t0 } from "./testing.ts";

const ep = (subsets: EndpointSubset[]) => ({
  metadata: { name: "web", namespace: "default", creationTimestamp: created },
  subsets,
});

describe("Endpoints", () => {
  it("defaults port protocols and accepts valid subsets", () => {
    const { obj, errors } = simulateCreate(
      endpointsResource,
      ep([{ addresses: [{ ip: "10.244.1.5", nodeName: "worker-1" }], ports: [{ port: 8080 }] }]),
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.subsets?.[0]?.ports?.[0]?.protocol, "TCP");
    assert.equal(endpointsResource.strategy.allowCreateOnUpdate, true);
  });

  it("rejects empty subsets, bad IPs and unnamed ports", () => {
    const { errors } = simulateCreate(
      endpointsResource,
      ep([
        {},
        {
          addresses: [{ ip: "169.254.1.1" }, { ip: "nope" }],
          ports: [
            { port: 80, protocol: "TCP" },
            { name: "b", port: 81, protocol: "TCP" },
          ],
        },
      ]),
    );
    assert.deepEqual(errors, [
      "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`",
      'subsets[1].addresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'subsets[1].addresses[1].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[1].addresses[1].ip: Invalid value: "nope": must be a valid IP address',
      "subsets[1].ports[0].name: Required value",
    ]);
  });

  it("warns that the API is deprecated", () => {
    assert.deepEqual(endpointsResource.strategy.warnings?.(ep([]), undefined), [
      "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
    ]);
  });

  it("prints up to three endpoints", () => {
    const addresses = ["10.0.0.1", "10.0.0.2", "fd00::3"].map((ip) => ({ ip }));
    const row = printRow(
      endpointsResource,
      ep([
        { addresses, ports: [{ port: 80, protocol: "TCP" }] },
        { addresses: [{ ip: "10.0.0.9" }] },
      ]),
      t0,
    );
    assert.deepEqual(row, {
      Name: "web",
      Endpoints: "10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 1 more...",
      Age: "0s",
    });
    assert.equal(printRow(endpointsResource, ep([]), t0).Endpoints, "<none>");
  });
});
