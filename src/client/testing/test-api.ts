/**
 * An API server in process over a memory store, for controller, scheduler and kubelet tests:
 * real handlers and validation, no disk, a fresh cluster per call.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinResources } from "../../api/kinds/index.ts";
import { LoopbackTokens } from "../../apiserver/authn/loopback.ts";
import { ApiServer } from "../../apiserver/server.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { loadOrCreateClusterPKI, loadOrIssueClientCertificate } from "../../pki/cluster-pki.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { freePort } from "../../storage/testing/etcd-harness.ts";
import { withWatchFanout } from "../../storage/watch-fanout.ts";
import { ApiChannel } from "../api-channel.ts";
import { RestClient } from "../rest-client.ts";

export interface TestApi {
  readonly client: RestClient;
  readonly port: number;
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly server: ApiServer;
  /**
   * With `loopback`: the token issuer and a new in-process channel to the server each call (ADR
   * 29), as the control-plane worker's clients have.
   */
  readonly loopback?: { readonly tokens: LoopbackTokens; channel(): ApiChannel };
  stop(): Promise<void>;
}

export interface TestApiOptions {
  /** The API server's clock (token expiry); default the real one. */
  readonly clock?: Clock;
  /** Give the API server a kubelet client certificate (pods/log, exec… served by kubelets). */
  readonly kubeletClient?: boolean;
  /** Issue loopback tokens and serve in-process channels (the components' way in). */
  readonly loopback?: boolean;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-test-api-"));
  const pki = await loadOrCreateClusterPKI(join(dir, "tls"));
  const port = await freePort();
  const kubeletClient = options.kubeletClient
    ? await loadOrIssueClientCertificate(pki, "apiserver-kubelet-client", {
        commonName: "kube-apiserver-kubelet-client",
      })
    : undefined;
  const loopback = options.loopback ? { tokens: new LoopbackTokens() } : undefined;
  const server = new ApiServer({
    store: withWatchFanout(new MemoryStore()),
    clock: options.clock ?? realClock,
    log: silentLogger,
    tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, clientCaPem: pki.ca.certPem },
    bindAddress: "127.0.0.1",
    port,
    advertiseAddress: "127.0.0.1",
    resources: builtinResources,
    // Bearer tokens (service-account and bootstrap) are checked only with signing keys.
    serviceAccountKeys: {
      privateKeyPem: pki.serviceAccount.privateKeyPem,
      publicKeyPem: pki.serviceAccount.publicKeyPem,
    },
    // No controller manager here to create the default ServiceAccounts.
    disabledAdmission: ["ServiceAccount"],
    ...(kubeletClient
      ? { kubeletClient: { certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem } }
      : {}),
    ...(loopback ? { loopback } : {}),
  });
  await server.start();
  const client = new RestClient({
    server: `https://127.0.0.1:${port}`,
    caPem: pki.ca.certPem,
    certPem: pki.admin.certPem,
    keyPem: pki.admin.keyPem,
  });
  return {
    client,
    port,
    caCertPem: pki.ca.certPem,
    caKeyPem: pki.ca.keyPem,
    server,
    ...(loopback
      ? {
          loopback: {
            ...loopback,
            channel: () => new ApiChannel(server.openChannel()),
          },
        }
      : {}),
    async stop() {
      client.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false), failing after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
