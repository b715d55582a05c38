import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { staleUDPFilters, udpView } from "./conntrack.ts";
import { collectServicePorts } from "./service-ports.ts";
import { service, slice } from "./testing/fixtures.ts";

const dns = service("dns", {
  clusterIP: "10.96.0.10",
  type: "NodePort",
  externalIPs: ["192.0.2.53"],
  ports: [
    { name: "dns", port: 53, protocol: "UDP", nodePort: 30053 },
    { name: "dns-tcp", port: 53, protocol: "TCP", nodePort: 30054 },
  ],
});
const ports = [
  { name: "dns", port: 5353, protocol: "UDP" as const },
  { name: "dns-tcp", port: 5353, protocol: "TCP" as const },
];
const view = (ips: string[]) =>
  udpView(
    collectServicePorts(
      [dns],
      [
        slice(
          "dns",
          ips.map((ip) => ({ ip, node: "n1" })),
          { ports },
        ),
      ],
      "ip",
    ),
  );

describe("staleUDPFilters", () => {
  it("flushes a UDP service's VIPs and node port when it gets its first endpoints", () => {
    assert.deepEqual(staleUDPFilters(view([]), view(["10.244.1.5"])), [
      ["-D", "-p", "udp", "--orig-dst", "10.96.0.10", "--orig-port-dst", "53"],
      ["-D", "-p", "udp", "--orig-dst", "192.0.2.53", "--orig-port-dst", "53"],
      ["-D", "-p", "udp", "--orig-port-dst", "30053"],
    ]);
  });

  it("flushes flows DNATed to an endpoint that went away, and only those", () => {
    const filters = staleUDPFilters(view(["10.244.1.5", "10.244.1.6"]), view(["10.244.1.6"]));
    assert.deepEqual(filters, [
      ["-D", "-p", "udp", "--orig-dst", "10.96.0.10", "--dst-nat", "10.244.1.5"],
      ["-D", "-p", "udp", "--orig-dst", "192.0.2.53", "--dst-nat", "10.244.1.5"],
      ["-D", "-p", "udp", "--orig-port-dst", "30053", "--dst-nat", "10.244.1.5"],
    ]);
  });

  it("does nothing when UDP endpoints did not change, and ignores TCP", () => {
    assert.deepEqual(staleUDPFilters(view(["10.244.1.5"]), view(["10.244.1.5"])), []);
    assert.equal(view(["10.244.1.5"]).size, 1, "only the UDP port is tracked");
  });

  it("flushes every endpoint of a deleted service", () => {
    const filters = staleUDPFilters(view(["10.244.1.5"]), new Map());
    assert.equal(filters.length, 3);
  });
});
