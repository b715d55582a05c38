/**
 * `…/nodes/{name}/proxy/{path}` (upstream `ProxyREST` for nodes): any method, proxied to the
 * node's kubelet at `/{path}` with the API server's kubelet client certificate — ordinary
 * requests streamed both ways, upgrade requests spliced. The caller needs `nodes/proxy`.
 */
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import { forwardedHeaders, proxyUpgrade } from "../../machinery/upgrade-proxy.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { type KubeletClientConfig, kubeletLocation, kubeletURL } from "./kubelet-connection.ts";
import { credentialHeaders } from "./pod-connect.ts";
import { backendError, relayBody } from "./pod-log.ts";

export async function serveNodeProxy(
  ctx: HttpContext,
  _nodes: GenericRegistry,
  kubelet: KubeletClientConfig,
): Promise<void> {
  const location = await kubeletLocation(ctx.parts.catalog, ctx.info.name);
  const query = new URLSearchParams(ctx.query);
  const path = `/${ctx.info.parts.map(encodeURIComponent).join("/")}`;
  const url = kubeletURL(location, path, query);
  const tls = {
    cert: kubelet.certPem,
    key: kubelet.keyPem,
    ...(kubelet.caPem ? { ca: kubelet.caPem } : { rejectUnauthorized: false }),
  };
  const method = ctx.req.method ?? "GET";
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  if (ctx.upgrade) {
    try {
      await proxyUpgrade(ctx.upgrade.socket, ctx.upgrade.head, {
        url,
        method,
        headers: forwardedHeaders(ctx.req, credentialHeaders),
        tls: {
          certPem: tls.cert,
          keyPem: tls.key,
          ...(kubelet.caPem ? { caPem: kubelet.caPem } : { rejectUnauthorized: false }),
        },
      });
    } catch (err) {
      throw backendError(verb, url, err as Error);
    }
    return;
  }
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      method,
      headers: forwardedHeaders(ctx.req, credentialHeaders),
      agent: false,
      ...tls,
    });
    req.once("response", resolve);
    req.once("error", (err) => reject(backendError(verb, url, err)));
    ctx.res.once("close", () => req.destroy());
    ctx.req.pipe(req);
  });
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(upstream.headers)) {
    if (typeof v === "string" || Array.isArray(v)) {
      if (!["connection", "transfer-encoding", "keep-alive"].includes(k)) headers[k] = v;
    }
  }
  ctx.res.writeHead(upstream.statusCode ?? 502, headers);
  await relayBody(upstream, ctx.res);
}
