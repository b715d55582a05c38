/**
 * The connect subresources `pods/exec`, `pods/attach` and `pods/portforward` (upstream
 * `ExecREST`, `AttachREST`, `PortForwardREST` with `streamLocation`): the pod must exist, name a
 * valid container and be scheduled; the upgrade request (WebSocket or SPDY/3.1) is then proxied
 * to the kubelet's `/exec`, `/attach` or `/portForward` with the API server's kubelet client
 * certificate, and the two connections are spliced — the kubelet speaks every protocol kubectl
 * may choose, so the bytes pass untouched. Requests that do not ask to upgrade get 400.
 */
import type { Pod } from "../../api/generated/types.ts";
import { QueryParameterError } from "../../api/kinds/workloads/pod-log-options.ts";
import {
  kubeletStreamQuery,
  parsePodStreamOptions,
  parsePortForwardPorts,
  streamContainer,
} from "../../api/kinds/workloads/pod-stream-options.ts";
import { newBadRequest, newMethodNotSupported } from "../../machinery/status.ts";
import { forwardedHeaders, proxyUpgrade } from "../../machinery/upgrade-proxy.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { type KubeletClientConfig, kubeletLocation, kubeletURL } from "./kubelet-connection.ts";
import { backendError } from "./pod-log.ts";

/** Headers that carry the caller's credentials or identity; the kubelet sees the API server. */
export const credentialHeaders = ["authorization", "impersonate-", "cookie"];

export async function servePodConnect(
  ctx: HttpContext,
  pods: GenericRegistry,
  kubelet: KubeletClientConfig,
): Promise<void> {
  const sub = ctx.info.subresource as "exec" | "attach" | "portforward";
  if (ctx.info.verb !== "get" && ctx.info.verb !== "create") {
    throw newMethodNotSupported(
      { group: "", resource: `pods/${sub}` },
      ctx.info.method.toUpperCase(),
    );
  }
  if (!ctx.upgrade) throw newBadRequest("Upgrade request required");
  const pod = (await pods.get(ctx.info.namespace, ctx.info.name)) as Pod;
  const name = ctx.info.name;
  let path: string[];
  let query: URLSearchParams;
  if (sub === "portforward") {
    let ports: number[];
    try {
      ports = parsePortForwardPorts(ctx.query);
    } catch (err) {
      if (err instanceof QueryParameterError) throw newBadRequest(err.message);
      throw err;
    }
    path = ["portForward", ctx.info.namespace, name];
    query = new URLSearchParams(ports.length > 0 ? { port: ports.join(",") } : {});
  } else {
    const options = parsePodStreamOptions(ctx.query);
    const chosen = streamContainer(pod, options.container);
    if (chosen.error !== undefined) throw newBadRequest(chosen.error);
    path = [sub, ctx.info.namespace, name, chosen.name!];
    query = kubeletStreamQuery(sub === "attach" ? { ...options, command: [] } : options);
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw newBadRequest(`pod ${name} does not have a host assigned`);
  const location = await kubeletLocation(ctx.parts.catalog, nodeName);
  const url = kubeletURL(location, `/${path.map(encodeURIComponent).join("/")}`, query);
  try {
    await proxyUpgrade(ctx.upgrade.socket, ctx.upgrade.head, {
      url,
      method: ctx.req.method ?? "GET",
      headers: forwardedHeaders(ctx.req, credentialHeaders),
      tls: {
        certPem: kubelet.certPem,
        keyPem: kubelet.keyPem,
        ...(kubelet.caPem ? { caPem: kubelet.caPem } : { rejectUnauthorized: false }),
      },
    });
  } catch (err) {
    throw backendError(ctx.req.method === "POST" ? "Post" : "Get", url, err as Error);
  }
  ctx.parts.log.debug("stream proxied to kubelet", {
    pod: `${ctx.info.namespace}/${name}`,
    sub,
    node: nodeName,
  });
}
