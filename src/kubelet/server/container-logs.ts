/**
 * `GET /containerLogs/{namespace}/{pod}/{container}`: a container's log as upstream's kubelet
 * serves it (`getContainerLogs`, `GetKubeletContainerLogs`, `validateContainerLogStatus`). The
 * pod status the kubelet reported picks the container instance (the running one, the last
 * terminated one, or with `previous` the one before), CRI gives its log file, and the log reader
 * streams it with the query's options, following it while the container runs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  ContainerStatus as ApiContainerStatus,
  PodStatus,
} from "../../api/generated/types.ts";
import {
  parsePodLogOptions,
  validatePodLogOptions,
} from "../../api/kinds/workloads/pod-log-options.ts";
import { allContainerNames } from "../../api/kinds/workloads/pod-stream-options.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { KubeletHost } from "./host.ts";
import { rfc3339ToNanos } from "./logs/cri-log-line.ts";
import { type ContainerLogOptions, readContainerLogs } from "./logs/log-reader.ts";

export interface LogsRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly host: KubeletHost;
  readonly clock: Clock;
  readonly log: Logger;
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

/** The container id (CRI) whose log to read, or the error upstream answers 400 with. */
export function containerForLogs(
  podName: string,
  status: PodStatus | undefined,
  container: string,
  previous: boolean,
): { id: string } | { error: string } {
  const all: ApiContainerStatus[] = [
    ...(status?.containerStatuses ?? []),
    ...(status?.initContainerStatuses ?? []),
    ...((status?.ephemeralContainerStatuses ?? []) as ApiContainerStatus[]),
  ];
  const s = all.find((c) => c.name === container);
  const what = `container "${container}" in pod "${podName}"`;
  if (!s) return { error: `${what} is not available` };
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  const id = (cid: string | undefined) => ({ id: (cid ?? "").replace(/^[a-z]+:\/\//, "") });
  if (previous) {
    if (!last?.containerID) return { error: `previous terminated ${what} not found` };
    return id(last.containerID);
  }
  if (running) return id(s.containerID);
  if (terminated) {
    if (terminated.containerID) return id(terminated.containerID);
    if (last?.containerID) return id(last.containerID);
    return { error: `${what} is terminated` };
  }
  if (last) {
    if (!last.containerID) return { error: `${what} is terminated` };
    return id(last.containerID);
  }
  if (waiting) {
    switch (waiting.reason) {
      case "ErrImagePull":
        return { error: `${what} is waiting to start: image can't be pulled` };
      case "ImagePullBackOff":
        return { error: `${what} is waiting to start: trying and failing to pull image` };
      default:
        return { error: `${what} is waiting to start: ${waiting.reason ?? ""}` };
    }
  }
  return { error: `${what} is waiting to start - no logs yet` };
}

/** Upstream `NewLogOptions`: since = the later of now − sinceSeconds and sinceTime. */
function readerOptions(o: ReturnType<typeof parsePodLogOptions>, now: number): ContainerLogOptions {
  let since: bigint | undefined;
  if (o.sinceSeconds !== undefined) since = BigInt(now - o.sinceSeconds * 1000) * 1_000_000n;
  if (o.sinceTime !== undefined) {
    const t = rfc3339ToNanos(new Date(o.sinceTime).toISOString());
    if (t !== undefined && (since === undefined || t > since)) since = t;
  }
  return {
    timestamps: o.timestamps,
    follow: o.follow,
    ...(o.tailLines !== undefined ? { tailLines: o.tailLines } : {}),
    ...(o.limitBytes !== undefined ? { limitBytes: o.limitBytes } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(o.stream !== undefined ? { stream: o.stream as "All" | "Stdout" | "Stderr" } : {}),
  };
}

export async function serveContainerLogs(r: LogsRequest): Promise<void> {
  const { res, host } = r;
  const query = new URLSearchParams(r.query);
  // The old `tail` parameter ("all" meaning no limit), as upstream still accepts it.
  const tail = query.get("tail");
  if (tail) {
    query.delete("tail");
    if (tail !== "all") query.set("tailLines", tail);
  }
  let options: ReturnType<typeof parsePodLogOptions>;
  try {
    options = parsePodLogOptions(query);
  } catch {
    return writeText(res, 400, '{"message": "Unable to decode query."}');
  }
  if (validatePodLogOptions(options).length > 0) {
    return writeText(res, 422, '{"message": "Invalid request."}');
  }
  const pod = host.getPod(r.namespace, r.pod);
  if (!pod) return writeText(res, 404, `pod "${r.pod}" does not exist`);
  if (!allContainerNames(pod).includes(r.container)) {
    return writeText(res, 404, `container "${r.container}" not found in pod "${r.pod}"`);
  }
  const chosen = containerForLogs(r.pod, pod.status, r.container, options.previous);
  if ("error" in chosen) return writeText(res, 400, chosen.error);
  const file = await host.containers.logFile(chosen.id);
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.flushHeaders();
  if (!file) {
    res.end(`unable to retrieve container logs for containerd://${chosen.id}`);
    return;
  }
  const stop = new AbortController();
  res.once("close", () => stop.abort());
  try {
    await readContainerLogs(file.path, readerOptions(options, r.clock.now()), {
      write: (chunk) =>
        new Promise<void>((resolve) => {
          if (stop.signal.aborted || res.write(chunk)) return resolve();
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.once("drain", done);
          res.once("close", done);
        }),
      signal: stop.signal,
      isRunning: () => host.containers.isRunning(chosen.id),
      clock: r.clock,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    r.log.debug("cannot read container log", { path: file.path, err });
    if (!res.writableEnded) res.write(`failed to open log file "${file.path}": ${e.message}`);
  }
  res.end();
}
