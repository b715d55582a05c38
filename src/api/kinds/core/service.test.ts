import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Service, ServiceSpec } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { serviceResource } from "./service.ts";
import {
  created,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "./testing.ts";

const svc = (spec: ServiceSpec, name = "web"): Obj<Service> => ({
  metadata: { name, namespace: "default", creationTimestamp: created },
  spec,
});

/** A created service with the values the allocator would have filled in. */
function allocated(spec: ServiceSpec): Obj<Service> {
  const { obj } = simulateCreate(serviceResource, svc(spec));
  obj.spec = {
    clusterIP: "10.96.0.20",
    clusterIPs: ["10.96.0.20"],
    ipFamilies: ["IPv4"],
    ...obj.spec,
  };
  return obj;
}

describe("Service defaults", () => {
  it("fills type, affinity, protocol, targetPort and traffic policies", () => {
    const { obj, errors } = simulateCreate(serviceResource, svc({ ports: [{ port: 80 }] }));
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec, {
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ipFamilyPolicy: "SingleStack",
    });
    assert.deepEqual(obj.status, { loadBalancer: {} });
  });

  it("sets externalTrafficPolicy and allocateLoadBalancerNodePorts for load balancers", () => {
    const { obj } = simulateCreate(
      serviceResource,
      svc({ type: "LoadBalancer", ports: [{ port: 443, targetPort: "https" }] }),
    );
    assert.equal(obj.spec?.externalTrafficPolicy, "Cluster");
    assert.equal(obj.spec?.allocateLoadBalancerNodePorts, true);
    assert.equal(obj.spec?.ports?.[0]?.targetPort, "https");
  });

  it("gives ClientIP affinity the default timeout and leaves ExternalName without IP fields", () => {
    const { obj, errors } = simulateCreate(
      serviceResource,
      svc({ type: "ExternalName", externalName: "db.example.com.", sessionAffinity: "ClientIP" }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    assert.equal(obj.spec?.ipFamilyPolicy, undefined);
    assert.equal(obj.spec?.internalTrafficPolicy, undefined);
  });

  it("copies clusterIP into clusterIPs on create", () => {
    const { obj, errors } = simulateCreate(serviceResource, svc({ clusterIP: "None" }));
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec?.clusterIPs, ["None"]);
  });
});

describe("Service validation", () => {
  it("requires named, unique ports", () => {
    const { errors } = simulateCreate(
      serviceResource,
      svc({ ports: [{ port: 80 }, { name: "http", port: 80 }, { name: "http", port: 70000 }] }),
    );
    assert.deepEqual(errors, [
      "spec.ports[0].name: Required value",
      'spec.ports[2].name: Duplicate value: "http"',
      "spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
      "spec.ports[2].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it("checks the type, the selector and the ports requirement", () => {
    const { errors } = simulateCreate(
      serviceResource,
      svc({ type: "Magic" as "ClusterIP", selector: { "bad key": "x" } }),
    );
    assert.deepEqual(errors, [
      "spec.ports: Required value",
      "spec.selector: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
  });

  it("forbids nodePort on ClusterIP services and headless NodePort services", () => {
    const a = simulateCreate(serviceResource, svc({ ports: [{ port: 80, nodePort: 30080 }] }));
    assert.deepEqual(a.errors, [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
    const b = simulateCreate(
      serviceResource,
      svc({ type: "NodePort", clusterIP: "None", ports: [{ port: 80 }] }),
    );
    assert.deepEqual(b.errors, [
      "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    ]);
  });

  it("validates clusterIPs, external IPs and ClientIP timeouts", () => {
    const { errors } = simulateCreate(
      serviceResource,
      svc({
        clusterIP: "10.96.0.5",
        clusterIPs: ["10.96.0.6"],
        externalIPs: ["127.0.0.1"],
        ports: [{ port: 80 }],
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
      }),
    );
    assert.deepEqual(errors, [
      "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400",
      'spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`',
      'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
  });

  it("rejects a bad ExternalName and a traffic policy it cannot have", () => {
    const { errors } = simulateCreate(
      serviceResource,
      svc({ type: "ExternalName", externalName: "", externalTrafficPolicy: "Local" }),
    );
    assert.deepEqual(errors, [
      "spec.externalName: Required value",
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ]);
  });
});

describe("Service updates", () => {
  it("keeps the allocated clusterIP and node ports when the client omits them", () => {
    const old = allocated({
      type: "NodePort",
      ports: [{ name: "http", port: 80, nodePort: 30080 }],
    });
    const { obj, errors } = simulateUpdate(
      serviceResource,
      svc({ type: "NodePort", ports: [{ name: "http", port: 80 }] }),
      old,
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.spec?.clusterIP, "10.96.0.20");
    assert.deepEqual(obj.spec?.clusterIPs, ["10.96.0.20"]);
    assert.equal(obj.spec?.ports?.[0]?.nodePort, 30080);
    assert.deepEqual(obj.spec?.ipFamilies, ["IPv4"]);
  });

  it("refuses to change the clusterIP", () => {
    const old = allocated({ ports: [{ port: 80 }] });
    const { errors } = simulateUpdate(
      serviceResource,
      svc({ clusterIP: "10.96.0.99", ports: [{ port: 80 }] }),
      old,
    );
    assert.deepEqual(errors, [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set',
    ]);
  });

  it("drops cluster IPs and node ports when switching to ExternalName", () => {
    const old = allocated({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
    const next = structuredClone(old);
    next.spec = { ...next.spec, type: "ExternalName", externalName: "example.com" };
    delete next.spec.externalTrafficPolicy;
    delete next.spec.internalTrafficPolicy;
    const { obj, errors } = simulateUpdate(serviceResource, next, old);
    assert.deepEqual(errors, []);
    assert.equal(obj.spec?.clusterIP, undefined);
    assert.equal(obj.spec?.ipFamilyPolicy, undefined);
    assert.equal(obj.spec?.ports?.[0]?.nodePort, undefined);
  });

  it("validates load-balancer ingress on status updates", () => {
    const old = allocated({ type: "LoadBalancer", ports: [{ port: 80 }] });
    const { errors } = simulateStatusUpdate(
      serviceResource,
      {
        status: {
          loadBalancer: { ingress: [{ ip: "1.2.3.4", ipMode: "VIP" }, { hostname: "1.2.3.5" }] },
        },
      },
      old,
    );
    assert.deepEqual(errors, [
      'status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.5": must be a DNS name, not an IP address',
    ]);
  });
});

describe("Service printer", () => {
  it("prints type, IPs, ports and selector", () => {
    const lb = allocated({
      type: "LoadBalancer",
      ports: [{ port: 80, nodePort: 30080 }],
      selector: { app: "web" },
    });
    lb.status = { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } };
    assert.deepEqual(printRow(serviceResource, lb, t0 + 600_000), {
      Name: "web",
      Type: "LoadBalancer",
      "Cluster-IP": "10.96.0.20",
      "External-IP": "192.0.2.10",
      "Port(s)": "80:30080/TCP",
      Age: "10m",
      Selector: "app=web",
    });
    const pending = allocated({ type: "LoadBalancer", ports: [{ port: 80 }] });
    assert.equal(printRow(serviceResource, pending, t0)["External-IP"], "<pending>");
    const headless = simulateCreate(serviceResource, svc({ clusterIP: "None" })).obj;
    const row = printRow(serviceResource, headless, t0);
    assert.deepEqual(
      [row["Cluster-IP"], row["External-IP"], row["Port(s)"], row.Selector],
      ["None", "<none>", "<none>", "<none>"],
    );
  });

  it("selects by spec.clusterIP and spec.type", () => {
    const s = allocated({ ports: [{ port: 80 }] });
    assert.deepEqual(serviceResource.strategy.selectableFields?.(s), {
      "spec.clusterIP": "10.96.0.20",
      "spec.type": "ClusterIP",
    });
  });
});
