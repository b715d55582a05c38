import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, Service } from "../../api/generated/types.ts";
import { computeSubsets, maxCapacity, truncateSubsets } from "./endpoint-subsets.ts";

const svc = (spec: Service["spec"]): Service => ({
  metadata: { name: "web", namespace: "ns" },
  spec: { selector: { app: "web" }, ...spec },
});

function pod(name: string, ip: string, opts: { ready?: boolean; ports?: number[] } = {}): Pod {
  return {
    metadata: { name, namespace: "ns", uid: `uid-${name}`, labels: { app: "web" } },
    spec: {
      nodeName: "n1",
      containers: [
        {
          name: "c",
          ports: (opts.ports ?? [8080]).map((p, i) => ({ name: `p${i}`, containerPort: p })),
        },
      ],
    },
    status: {
      podIP: ip,
      phase: "Running",
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  };
}

describe("computeSubsets", () => {
  it("resolves named target ports per pod and groups addresses by port set", () => {
    const service = svc({ ports: [{ name: "http", port: 80, targetPort: "p0", protocol: "TCP" }] });
    const { subsets, ready, notReady } = computeSubsets(service, [
      pod("a", "10.0.0.2", { ports: [8080] }),
      pod("b", "10.0.0.3", { ports: [9090] }),
      pod("c", "10.0.0.4", { ports: [8080], ready: false }),
    ]);
    assert.equal(ready, 2);
    assert.equal(notReady, 1);
    assert.deepEqual(
      subsets.map((s) => ({
        ips: (s.addresses ?? []).map((a) => a.ip),
        notReady: (s.notReadyAddresses ?? []).map((a) => a.ip),
        ports: s.ports,
      })),
      [
        {
          ips: ["10.0.0.2"],
          notReady: ["10.0.0.4"],
          ports: [{ name: "http", port: 8080, protocol: "TCP" }],
        },
        { ips: ["10.0.0.3"], notReady: [], ports: [{ name: "http", port: 9090, protocol: "TCP" }] },
      ],
    );
    assert.deepEqual(subsets[0]?.addresses?.[0], {
      ip: "10.0.0.2",
      nodeName: "n1",
      targetRef: { kind: "Pod", namespace: "ns", name: "a", uid: "uid-a" },
    });
  });

  it("shares a subset between ports offered by the same addresses (RepackSubsets)", () => {
    const service = svc({
      ports: [
        { name: "a", port: 80, targetPort: 8080 },
        { name: "b", port: 81, targetPort: "p1" },
      ],
    });
    const { subsets } = computeSubsets(service, [
      pod("x", "10.0.0.2", { ports: [1, 9000] }),
      pod("y", "10.0.0.3", { ports: [1] }),
    ]);
    // Port a is offered by both pods, port b only by x.
    assert.deepEqual(
      subsets.map((s) => [
        (s.addresses ?? []).map((a) => a.ip),
        (s.ports ?? []).map((p) => p.port),
      ]),
      [
        [["10.0.0.2", "10.0.0.3"], [8080]],
        [["10.0.0.2"], [9000]],
      ],
    );
  });

  it("leaves out terminal, IP-less and terminating pods unless publishing not-ready ones", () => {
    const done = pod("done", "10.0.0.5");
    done.status!.phase = "Succeeded";
    const noIP = pod("noip", "");
    const terminating = pod("term", "10.0.0.6");
    terminating.metadata!.deletionTimestamp = "2026-01-01T00:00:00Z";
    const pods = [done, noIP, terminating, pod("slow", "10.0.0.7", { ready: false })];
    const ports = [{ port: 80, targetPort: 8080 }];
    assert.deepEqual(
      computeSubsets(svc({ ports }), pods).subsets.map((s) =>
        s.notReadyAddresses?.map((a) => a.ip),
      ),
      [["10.0.0.7"]],
    );
    const published = computeSubsets(svc({ ports, publishNotReadyAddresses: true }), pods);
    assert.deepEqual(
      published.subsets.map((s) => s.addresses?.map((a) => a.ip)),
      [["10.0.0.6", "10.0.0.7"]],
    );
  });

  it("keeps headless services without ports and sets hostnames for the subdomain", () => {
    const p = pod("h", "10.0.0.8");
    p.spec!.hostname = "h0";
    p.spec!.subdomain = "web";
    const { subsets } = computeSubsets(svc({ clusterIP: "None" }), [p]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          {
            ip: "10.0.0.8",
            nodeName: "n1",
            hostname: "h0",
            targetRef: { kind: "Pod", namespace: "ns", name: "h", uid: "uid-h" },
          },
        ],
      },
    ]);
    assert.deepEqual(computeSubsets(svc({ clusterIP: "10.96.0.5" }), [p]).subsets, []);
  });

  it("truncates to 1000 addresses, ready ones first", () => {
    const ports = [{ port: 80, targetPort: 8080 }];
    const pods = Array.from({ length: 1100 }, (_, i) =>
      pod(`p${i}`, `10.1.${i >> 8}.${i & 255}`, { ready: i < 950 }),
    );
    const { subsets } = computeSubsets(svc({ ports }), pods);
    assert.equal(truncateSubsets(subsets), true);
    assert.equal(subsets[0]?.addresses?.length, 950);
    assert.equal(subsets[0]?.notReadyAddresses?.length, maxCapacity - 950);
  });
});
