import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NetworkPolicy } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { networkPolicyResource } from "./network-policy.ts";
import { created, printRow, simulateCreate, t0 } from "./testing.ts";

const policy = (spec: NonNullable<NetworkPolicy["spec"]>): Obj<NetworkPolicy> => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "db", namespace: "default", creationTimestamp: created },
  spec,
});

describe("NetworkPolicy", () => {
  it("defaults policy types and port protocols, and prints its pod selector", () => {
    const { obj, errors } = simulateCreate(
      networkPolicyResource,
      policy({
        podSelector: { matchLabels: { app: "db" } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { role: "api" } } }], ports: [{ port: 5432 }] },
        ],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
      }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec?.policyTypes, ["Ingress", "Egress"]);
    assert.equal(obj.spec?.ingress?.[0]?.ports?.[0]?.protocol, "TCP");
    assert.deepEqual(printRow(networkPolicyResource, obj, t0 + 60_000), {
      Name: "db",
      "Pod-Selector": "app=db",
      Age: "60s",
    });
    const all = simulateCreate(networkPolicyResource, policy({ podSelector: {} }));
    assert.deepEqual(all.obj.spec?.policyTypes, ["Ingress"]);
    assert.equal(printRow(networkPolicyResource, all.obj, t0)["Pod-Selector"], "<none>");
  });

  it("refuses bad ports, peers, CIDRs and policy types in upstream's words", () => {
    const { errors } = simulateCreate(
      networkPolicyResource,
      policy({
        podSelector: {},
        ingress: [
          {
            ports: [
              { port: 80, endPort: 70 },
              { port: "http", endPort: 90 },
            ],
            from: [
              {},
              { ipBlock: { cidr: "10.0.0.0/16", except: ["192.168.0.0/24"] }, podSelector: {} },
            ],
          },
        ],
        policyTypes: ["Ingress", "Sideways" as "Egress"],
      }),
    );
    assert.deepEqual(errors, [
      "spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`",
      "spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
      "spec.ingress[0].from[0]: Required value: must specify a peer",
      'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
      "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
      'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]);
  });
});
