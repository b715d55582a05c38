/**
 * The queries of `pods/exec`, `pods/attach` and `pods/portforward` (upstream `PodExecOptions`,
 * `PodAttachOptions`, `PodPortForwardOptions`), the container a request addresses (upstream
 * `validateContainer` for logs and `streamLocation` for streams, with their messages), and the
 * query forwarded to the kubelet (`streamParams`: booleans as "1", one `command` per argument).
 */
import type { Container, Pod } from "../../generated/types.ts";
import { QueryParameterError, queryBool } from "./pod-log-options.ts";

export interface PodStreamOptions {
  readonly container?: string;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  /** exec only. */
  readonly command: readonly string[];
}

export function parsePodStreamOptions(query: URLSearchParams): PodStreamOptions {
  const container = query.get("container") || undefined;
  return {
    ...(container ? { container } : {}),
    stdin: queryBool(query, "stdin"),
    stdout: queryBool(query, "stdout"),
    stderr: queryBool(query, "stderr"),
    tty: queryBool(query, "tty"),
    command: query.getAll("command"),
  };
}

/** `ports=80,8080` or repeated `ports` (client-node's WebSocket port-forward). */
export function parsePortForwardPorts(query: URLSearchParams): number[] {
  const ports: number[] = [];
  for (const value of query.getAll("ports")) {
    for (const p of value.split(",")) {
      const s = p.trim();
      if (s === "") continue;
      const n = Number(s);
      if (!/^\d+$/.test(s) || n < 1 || n > 65535) {
        throw new QueryParameterError(`invalid port ${JSON.stringify(s)}`);
      }
      ports.push(n);
    }
  }
  return ports;
}

/** The kubelet's query for exec and attach. */
export function kubeletStreamQuery(o: PodStreamOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (o.stdin) q.append("input", "1");
  if (o.stdout) q.append("output", "1");
  if (o.tty) q.append("tty", "1");
  if (o.stderr) q.append("error", "1");
  for (const c of o.command) q.append("command", c);
  return q;
}

const names = (cs: readonly Container[] | undefined) => (cs ?? []).map((c) => c.name);

/** Every container name, init and ephemeral included (upstream `VisitContainers` order). */
export function allContainerNames(pod: Pod): string[] {
  return [
    ...names(pod.spec?.initContainers),
    ...names(pod.spec?.containers),
    ...names(pod.spec?.ephemeralContainers as Container[] | undefined),
  ];
}

/**
 * The container a logs request reads: the named one, or the only one. Returns the name, or the
 * BadRequest message upstream answers with.
 */
export function logContainer(
  pod: Pod,
  requested: string | undefined,
): { name?: string; error?: string } {
  const podName = pod.metadata?.name ?? "";
  if (requested) {
    return allContainerNames(pod).includes(requested)
      ? { name: requested }
      : { error: `container ${requested} is not valid for pod ${podName}` };
  }
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 1) return { name: containers[0]!.name };
  if (containers.length === 0)
    return { error: `a container name must be specified for pod ${podName}` };
  return {
    error: `a container name must be specified for pod ${podName}, choose one of: [${allContainerNames(pod).join(" ")}]`,
  };
}

/** The container an exec or attach addresses (upstream `streamLocation`). */
export function streamContainer(
  pod: Pod,
  requested: string | undefined,
): { name?: string; error?: string } {
  const podName = pod.metadata?.name ?? "";
  if (requested) {
    return allContainerNames(pod).includes(requested)
      ? { name: requested }
      : { error: `container ${requested} is not valid for pod ${podName}` };
  }
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 1) return { name: containers[0]!.name };
  if (containers.length === 0)
    return { error: `a container name must be specified for pod ${podName}` };
  let error = `a container name must be specified for pod ${podName}, choose one of: [${names(containers).join(" ")}]`;
  const inits = names(pod.spec?.initContainers);
  if (inits.length > 0) error += ` or one of the init containers: [${inits.join(" ")}]`;
  return { error };
}
