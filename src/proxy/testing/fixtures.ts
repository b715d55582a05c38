/**
 * Small builders for Services and EndpointSlices in proxy tests, and the golden scenarios the
 * ruleset tests, the nft load test and the benchmark share.
 */
import type {
  EndpointSlice,
  Service,
  ServicePort,
  ServiceSpec,
} from "../../api/generated/types.ts";
import type { NodeState } from "../build-ruleset.ts";

export interface ServiceOptions extends Partial<ServiceSpec> {
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
  readonly lbIngress?: string[];
}

export function service(name: string, opts: ServiceOptions = {}): Service {
  const { namespace = "default", annotations, lbIngress, ...spec } = opts;
  const ports: ServicePort[] = spec.ports ?? [{ name: "http", port: 80, protocol: "TCP" }];
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec: { type: "ClusterIP", ...spec, ports },
    ...(lbIngress
      ? { status: { loadBalancer: { ingress: lbIngress.map((ip) => ({ ip })) } } }
      : {}),
  };
}

export interface EndpointOptions {
  readonly ip: string;
  readonly node: string;
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
  readonly zone?: string;
}

export function slice(
  svc: string,
  endpoints: readonly EndpointOptions[],
  opts: {
    namespace?: string;
    ports?: { name?: string; port: number; protocol?: "TCP" | "UDP" | "SCTP" }[];
    suffix?: string;
  } = {},
): EndpointSlice {
  const namespace = opts.namespace ?? "default";
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    addressType: "IPv4",
    metadata: {
      name: `${svc}-${opts.suffix ?? "abcde"}`,
      namespace,
      labels: { "kubernetes.io/service-name": svc },
    },
    ports: (opts.ports ?? [{ name: "http", port: 8080, protocol: "TCP" }]).map((p) => ({ ...p })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      ...(e.zone ? { zone: e.zone } : {}),
      conditions: {
        ready: e.ready ?? true,
        serving: e.serving ?? e.ready ?? true,
        terminating: e.terminating ?? false,
      },
    })),
  };
}

export const nodeState = (name: string, extra: Partial<NodeState> = {}): NodeState => ({
  name,
  podCIDRs: ["10.244.0.0/16"],
  nodeIPs: [`172.31.0.1${name.replace(/\D/g, "") || "1"}`],
  ...extra,
});

export interface Scenario {
  readonly name: string;
  readonly services: Service[];
  readonly slices: EndpointSlice[];
  readonly node: NodeState;
}

const three = [
  { ip: "10.244.1.11", node: "n1" },
  { ip: "10.244.2.11", node: "n2" },
  { ip: "10.244.3.11", node: "n3" },
];

/** The golden scenarios (testdata/<name>.nft). */
export const scenarios: readonly Scenario[] = [
  {
    name: "clusterip-three-endpoints",
    services: [service("web", { clusterIP: "10.96.0.20" })],
    slices: [slice("web", three)],
    node: nodeState("n4", { serviceCIDRs: ["10.96.0.0/12"], clusterCIDRs: ["10.244.0.0/16"] }),
  },
  {
    name: "nodeport",
    services: [
      service("web", {
        type: "NodePort",
        clusterIP: "10.96.0.21",
        ports: [{ name: "http", port: 80, nodePort: 30080, protocol: "TCP" }],
      }),
    ],
    slices: [slice("web", three.slice(1))],
    node: nodeState("n1"),
  },
  {
    name: "loadbalancer",
    services: [
      service("web", {
        type: "LoadBalancer",
        clusterIP: "10.96.0.22",
        externalIPs: ["192.0.2.10"],
        loadBalancerSourceRanges: ["172.31.0.0/24", "198.51.100.0/24"],
        ports: [{ name: "http", port: 80, nodePort: 31080, protocol: "TCP" }],
        lbIngress: ["172.31.0.11", "172.31.0.12"],
      }),
    ],
    slices: [slice("web", three.slice(1))],
    node: nodeState("n1"),
  },
  {
    name: "session-affinity",
    services: [
      service("web", {
        clusterIP: "10.96.0.23",
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      }),
    ],
    slices: [slice("web", three.slice(1))],
    node: nodeState("n1"),
  },
  {
    name: "local-policies",
    services: [
      service("internal-local", { clusterIP: "10.96.0.24", internalTrafficPolicy: "Local" }),
      service("external-local", {
        type: "NodePort",
        clusterIP: "10.96.0.25",
        externalTrafficPolicy: "Local",
        ports: [{ name: "http", port: 80, nodePort: 30081, protocol: "TCP" }],
      }),
      service("elsewhere", {
        type: "NodePort",
        clusterIP: "10.96.0.26",
        externalTrafficPolicy: "Local",
        internalTrafficPolicy: "Local",
        ports: [{ name: "http", port: 80, nodePort: 30082, protocol: "TCP" }],
      }),
    ],
    slices: [
      slice("internal-local", three),
      slice("external-local", three),
      slice("elsewhere", [three[1]!]),
    ],
    node: nodeState("n1"),
  },
  {
    name: "no-endpoints",
    services: [
      service("empty", { clusterIP: "10.96.0.27" }),
      service("dns", {
        clusterIP: "10.96.0.10",
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
        ],
      }),
    ],
    slices: [slice("empty", [])],
    node: nodeState("n1"),
  },
  {
    name: "prefer-close-local-node",
    services: [service("web", { clusterIP: "10.96.0.28", trafficDistribution: "PreferClose" })],
    slices: [slice("web", three)],
    node: nodeState("n1"),
  },
  {
    name: "prefer-close-remote-node",
    services: [service("web", { clusterIP: "10.96.0.28", trafficDistribution: "PreferClose" })],
    slices: [slice("web", three.slice(1))],
    node: nodeState("n1"),
  },
  {
    name: "default-locality-and-opt-out",
    services: [
      service("default", { clusterIP: "10.96.0.29" }),
      service("opt-out", {
        clusterIP: "10.96.0.30",
        annotations: { "bosun.dev/traffic-distribution": "Cluster" },
      }),
    ],
    slices: [slice("default", three), slice("opt-out", three)],
    node: nodeState("n1"),
  },
  {
    name: "terminating-and-protocols",
    services: [
      service("draining", { clusterIP: "10.96.0.31" }),
      service("multi", {
        clusterIP: "10.96.0.32",
        ports: [
          { name: "udp", port: 5353, protocol: "UDP" },
          { name: "sctp", port: 9999, protocol: "SCTP" },
        ],
      }),
    ],
    slices: [
      slice("draining", [
        { ip: "10.244.2.12", node: "n2", ready: false, serving: true, terminating: true },
        { ip: "10.244.3.12", node: "n3", ready: false, serving: false, terminating: true },
      ]),
      slice("multi", [three[1]!], {
        ports: [
          { name: "udp", port: 5353, protocol: "UDP" },
          { name: "sctp", port: 9999, protocol: "SCTP" },
        ],
      }),
    ],
    node: nodeState("n1"),
  },
];
