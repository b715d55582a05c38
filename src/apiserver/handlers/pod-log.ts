/**
 * `GET …/pods/{name}/log` (upstream `LogREST` and `LogLocation`): decodes and validates the
 * options, picks the container (the only one, or the one named), and streams the kubelet's
 * `/containerLogs/{ns}/{pod}/{container}` to the client as `text/plain`, flushed as it arrives
 * so `follow` works. The kubelet's refusals become Status errors as upstream's response checker
 * makes them (400 BadRequest with the kubelet's text, e.g. a container still waiting to start).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { request } from "node:https";
import type { Pod } from "../../api/generated/types.ts";
import {
  kubeletLogQuery,
  type PodLogOptions,
  parsePodLogOptions,
  QueryParameterError,
  validatePodLogOptions,
} from "../../api/kinds/workloads/pod-log-options.ts";
import { logContainer } from "../../api/kinds/workloads/pod-stream-options.ts";
import { newGenericServerResponse } from "../../machinery/generic-response.ts";
import {
  newBadRequest,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  StatusError,
} from "../../machinery/status.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { type KubeletClientConfig, kubeletLocation, kubeletURL } from "./kubelet-connection.ts";

const podsLog = { group: "", resource: "pods/log" };

export function parseLogOptions(ctx: HttpContext): PodLogOptions {
  let options: PodLogOptions;
  try {
    options = parsePodLogOptions(ctx.query);
  } catch (err) {
    if (err instanceof QueryParameterError) throw newBadRequest(err.message);
    throw err;
  }
  const errs = validatePodLogOptions(options);
  if (errs.length > 0) throw newInvalid({ group: "", kind: "PodLogOptions" }, ctx.info.name, errs);
  return options;
}

/** An error reaching the backend, as upstream reports a transport error (reason Unknown). */
export function backendError(method: string, url: URL, err: Error): StatusError {
  const detail =
    (err as NodeJS.ErrnoException).code === "ECONNREFUSED"
      ? `dial tcp ${url.host}: connect: connection refused`
      : err.message;
  return new StatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${method} "${url.href}": ${detail}`,
    code: 500,
  });
}

/** upstream `GenericHttpResponseChecker`: a kubelet refusal as the Status clients see. */
export function kubeletRefusal(code: number, body: string, name: string): StatusError {
  if (code === 500) return newInternalError(body);
  if (code === 400) return newBadRequest(body);
  return newGenericServerResponse({ code, verb: "", resource: podsLog, name, serverMessage: body });
}

export async function servePodLog(
  ctx: HttpContext,
  pods: GenericRegistry,
  kubelet: KubeletClientConfig,
): Promise<void> {
  if (ctx.info.verb !== "get") throw newMethodNotSupported(podsLog, ctx.info.method.toUpperCase());
  const options = parseLogOptions(ctx);
  const pod = (await pods.get(ctx.info.namespace, ctx.info.name)) as Pod;
  const chosen = logContainer(pod, options.container);
  if (chosen.error !== undefined) throw newBadRequest(chosen.error);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) {
    // Not scheduled yet: upstream answers with an empty log.
    ctx.res.writeHead(200, { "Content-Type": "text/plain" });
    ctx.res.end();
    return;
  }
  const location = await kubeletLocation(ctx.parts.catalog, nodeName);
  const path = ["containerLogs", ctx.info.namespace, ctx.info.name, chosen.name!]
    .map(encodeURIComponent)
    .join("/");
  const url = kubeletURL(location, `/${path}`, kubeletLogQuery(options));
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      cert: kubelet.certPem,
      key: kubelet.keyPem,
      ...(kubelet.caPem && !options.insecureSkipTLSVerifyBackend
        ? { ca: kubelet.caPem }
        : { rejectUnauthorized: false }),
      headers: { accept: "*/*" },
      agent: false,
    });
    req.once("response", resolve);
    req.once("error", (err) => reject(backendError("Get", url, err)));
    ctx.res.once("close", () => req.destroy());
    req.end();
  });
  const code = upstream.statusCode ?? 500;
  if (code < 200 || code > 206) {
    let body = "";
    for await (const chunk of upstream) {
      body += String(chunk);
      if (body.length > 64 * 1024) break;
    }
    throw kubeletRefusal(code, body, ctx.info.name);
  }
  ctx.res.writeHead(200, { "Content-Type": "text/plain" });
  ctx.res.flushHeaders();
  await relayBody(upstream, ctx.res);
}

/** Copies a backend's body to the client as it arrives; either side ending ends both. */
export async function relayBody(from: IncomingMessage, to: ServerResponse): Promise<void> {
  try {
    for await (const chunk of from) {
      if (!to.write(chunk as Buffer)) {
        await new Promise<void>((resolve) => {
          to.once("drain", resolve);
          to.once("close", resolve);
        });
      }
      if (to.destroyed) break;
    }
  } catch {
    // The backend connection broke (or was closed because the client left): end the response.
  }
  to.end();
}
