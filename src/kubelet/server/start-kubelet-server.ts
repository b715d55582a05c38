/**
 * Starts a node's kubelet server for the containerd runtime: the serving certificate (self-
 * signed under `<pki dir>`), callers authenticated against the cluster CA and by TokenReview,
 * authorized by SubjectAccessReview through the node's own API client, pods from the kubelet's
 * pod source, containers through CRI.
 */
import type { RestClient } from "../../client/rest-client.ts";
import type { Logger } from "../../machinery/log.ts";
import type { RuntimeService, StreamingService } from "../cri/types.ts";
import type { PodSource } from "../pod-source.ts";
import { apiReviewClient, KubeletAuth } from "./auth.ts";
import { CriContainerAccess } from "./cri-container-access.ts";
import { KubeletServer } from "./kubelet-server.ts";
import { loadOrCreateServingCertificate } from "./serving-cert.ts";

export interface StartKubeletServerOptions {
  readonly nodeName: string;
  readonly nodeIPs: readonly string[];
  readonly client: RestClient;
  readonly pods: PodSource;
  readonly runtime: RuntimeService & StreamingService;
  /** Where the serving certificate lives (upstream /var/lib/kubelet/pki). */
  readonly pkiDir: string;
  readonly bindAddress?: string;
  /** 10250 upstream; 0 picks a free port (tests). */
  readonly port: number;
  readonly log: Logger;
}

export async function startKubeletServer(
  o: StartKubeletServerOptions,
): Promise<{ readonly port: number; stop(): Promise<void> }> {
  const clientCaPem = o.client.config.caPem;
  if (!clientCaPem) throw new Error("the kubelet server needs the cluster CA to verify callers");
  const serving = loadOrCreateServingCertificate(o.pkiDir, {
    hostName: o.nodeName,
    ips: o.nodeIPs,
  });
  const server = new KubeletServer({
    host: {
      nodeName: o.nodeName,
      getPod: (namespace, name) => o.pods.get(`${namespace}/${name}`),
      pods: () => o.pods.podsOn(o.nodeName),
      containers: new CriContainerAccess(o.runtime, o.runtime),
    },
    auth: new KubeletAuth({ reviews: apiReviewClient(o.client) }),
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem },
    address: o.bindAddress ?? "0.0.0.0",
    port: o.port,
    log: o.log,
  });
  try {
    const { port } = await server.start();
    return { port, stop: () => server.stop() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(
        `the kubelet port ${o.port} is already in use (another kubelet?); choose one with --kubelet-port`,
        { cause: err },
      );
    }
    throw err;
  }
}
