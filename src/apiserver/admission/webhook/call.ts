/**
 * One call of an admission webhook: where it is (its URL, or its Service resolved to a ready
 * endpoint, as kube-apiserver with `--enable-aggregator-routing`, so that the API server needs no
 * service proxy on its own host), the POST of an AdmissionReview over TLS checked against the
 * webhook's `caBundle` for the name `<service>.<namespace>.svc`, and upstream's timeout.
 */
import { Agent, request } from "node:https";
import type {
  EndpointSlice,
  Service,
  AdmissionregistrationV1WebhookClientConfig as WebhookClientConfig,
} from "../../../api/generated/types.ts";
import { type AdmissionReader, getAs, listAs } from "../plugins/reader.ts";

/** Calls share kept-alive connections (one pool; TLS options are part of its key). */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** A webhook that could not be called or answered nonsense (upstream `ErrCallingWebhook`). */
export class WebhookCallError extends Error {}

interface Target {
  /** The URL as upstream names it in errors, with the `timeout` query. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** The name the serving certificate must carry. */
  readonly servername: string;
}

/** Where a webhook's client config points, resolved now. */
export function resolveTarget(
  config: WebhookClientConfig,
  timeoutSeconds: number,
  reader: AdmissionReader,
): Target {
  const timeout = `timeout=${timeoutSeconds}s`;
  if (config.url !== undefined) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new WebhookCallError(`invalid url ${JSON.stringify(config.url)}`);
    }
    url.search = timeout;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    return {
      display: url.toString(),
      host,
      port: Number(url.port || 443),
      path: `${url.pathname}${url.search}`,
      servername: host,
    };
  }
  const ref = config.service;
  if (!ref) throw new WebhookCallError("neither url nor service is set");
  const port = ref.port ?? 443;
  const name = `${ref.name}.${ref.namespace}.svc`;
  const path = `${ref.path ?? ""}?${timeout}`;
  const display = `https://${name}:${port}${path.startsWith("/") ? "" : "/"}${path}`;
  const service = getAs<Service>(reader, "", "services", ref.namespace, ref.name);
  if (!service) throw new WebhookCallError(`service "${ref.name}" not found`);
  if (service.spec?.type === "ExternalName" && service.spec.externalName) {
    return { display, host: service.spec.externalName, port, path, servername: name };
  }
  const servicePort = (service.spec?.ports ?? []).find((p) => p.port === port);
  if (!servicePort) {
    throw new WebhookCallError(`no service port ${port} found for service "${ref.name}"`);
  }
  const portName = servicePort.name ?? "";
  const candidates: Array<{ address: string; port: number }> = [];
  for (const slice of listAs<EndpointSlice>(
    reader,
    "discovery.k8s.io",
    "endpointslices",
    ref.namespace,
  )) {
    if (slice.metadata?.labels?.["kubernetes.io/service-name"] !== ref.name) continue;
    const sp = (slice.ports ?? []).find((p) => (p.name ?? "") === portName);
    if (sp?.port == null) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const address of ep.addresses ?? []) candidates.push({ address, port: sp.port });
    }
  }
  const chosen = candidates[Math.floor(Math.random() * candidates.length)];
  if (!chosen) throw new WebhookCallError(`no endpoints available for service "${ref.name}"`);
  return { display, host: chosen.address, port: chosen.port, path, servername: name };
}

/** POSTs `body` and returns the parsed answer; throws WebhookCallError for any failure. */
export function postReview(
  target: Target,
  caBundle: string | undefined,
  body: unknown,
  timeoutSeconds: number,
): Promise<unknown> {
  const failed = (why: string) =>
    new WebhookCallError(`failed to call webhook: Post "${target.display}": ${why}`);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: "POST",
        servername: target.servername,
        ...(caBundle ? { ca: Buffer.from(caBundle, "base64").toString() } : {}),
        agent,
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "content-length": payload.length,
        },
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("error", (err) => reject(failed(err.message)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            reject(
              new WebhookCallError(
                `failed to call webhook: an error on the server (${JSON.stringify(text.trim())}) has prevented the request from succeeding (post ${target.display}; status ${status})`,
              ),
            );
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new WebhookCallError("received invalid webhook response: not JSON"));
          }
        });
      },
    );
    req.on("error", (err: Error & { code?: string }) => {
      const why =
        err.name === "TimeoutError" || err.name === "AbortError"
          ? "context deadline exceeded"
          : err.message;
      reject(failed(why));
    });
    req.end(payload);
  });
}
