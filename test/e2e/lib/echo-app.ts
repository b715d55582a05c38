/**
 * Small workloads for service tests on a real cluster: an echo Deployment (busybox httpd
 * answering with its pod name) and its Service, affinities that spread pods over nodes or keep
 * them off one, and a kubectl watch that notes when each pod was first seen Ready or deleting.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { kubectlPath } from "./tools.ts";

type Obj = Record<string, any>;

/** A Service on port 80 for the pods labelled `app: <app>` (their port 8080). */
export const service = (name: string, app: string, annotations?: Obj) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
});

/** An echo Deployment (busybox httpd answering its pod name) and its Service. */
export function echoApp(name: string, o: { replicas: number; affinity: Obj }): Obj[] {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          affinity: o.affinity,
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: "echo",
              image: "busybox:1",
              command: [
                "sh",
                "-c",
                "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www",
              ],
              readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
  return [deployment, service(name, name)];
}

const oneOf = (values: string[]) => ({
  matchExpressions: [{ key: "app", operator: "In", values }],
});
export const spreadOverNodes = (app: string) => ({
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: oneOf([app]), topologyKey: "kubernetes.io/hostname" },
    ],
  },
});
export const notOn = (node: string) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        {
          matchExpressions: [{ key: "kubernetes.io/hostname", operator: "NotIn", values: [node] }],
        },
      ],
    },
  },
});

/** REMOTE_ADDR as busybox httpd (on an IPv6 socket) reports an IPv4 client. */
export const remote = (ip: string) => `\\[::ffff:${ip.replaceAll(".", "\\.")}\\]`;

/** Pods of a selector as a kubectl watch sees them: when each was first Ready, first deleting. */
export class PodWatch {
  readonly readyAt = new Map<string, number>();
  readonly deletingAt = new Map<string, number>();
  readonly #child: ChildProcess;

  constructor(kubeconfig: string, selector: string) {
    const fields = `{.metadata.name}|{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}{"\\n"}`;
    this.#child = spawn(
      kubectlPath("1.34"),
      ["--kubeconfig", kubeconfig, "get", "pods", "-l", selector, "-w", "-o", `jsonpath=${fields}`],
      { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, KUBECONFIG: "" } },
    );
    let buffer = "";
    this.#child.stdout!.on("data", (d: Buffer) => {
      const now = Date.now();
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const [pod, deleting, ready] = line.trim().split("|");
        if (!pod) continue;
        if (ready === "True" && !this.readyAt.has(pod)) this.readyAt.set(pod, now);
        if (deleting && !this.deletingAt.has(pod)) this.deletingAt.set(pod, now);
      }
    });
  }

  stop(): void {
    this.#child.kill("SIGKILL");
  }
}
