/**
 * Runs the actions of lifecycle hooks and probes (upstream `pkg/kubelet/lifecycle/handlers.go`
 * and `pkg/kubelet/prober`): exec through CRI ExecSync, httpGet and tcpSocket against the pod's
 * IP, sleep on the clock. Each returns a verdict with upstream's failure message; none throws.
 */

import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Container, LifecycleHandler } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import { request as httpRequest } from "../../machinery/node-http.ts";
import { grpcErrorText } from "../cri/errors.ts";
import type { RuntimeService } from "../cri/types.ts";

export interface HandlerTarget {
  readonly runtime: RuntimeService;
  readonly containerId: string;
  readonly container: Container;
  readonly podIP: string;
  readonly timeoutSeconds: number;
  readonly clock: Clock;
}

export type Verdict = { ok: true; output?: string } | { ok: false; message: string };

function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export async function execAction(t: HandlerTarget, command: string[]): Promise<Verdict> {
  try {
    const res = await t.runtime.execSync(t.containerId, command, t.timeoutSeconds);
    const output = Buffer.concat([res.stdout, res.stderr]).toString();
    if (res.exit_code === 0) return { ok: true, output };
    return {
      ok: false,
      message: `command '${command.join(" ")}' exited with ${res.exit_code}: ${output}`,
    };
  } catch (err) {
    return { ok: false, message: grpcErrorText(err) };
  }
}

export function httpGetAction(
  t: HandlerTarget,
  action: NonNullable<LifecycleHandler["httpGet"]>,
): Promise<Verdict> {
  const port = resolvePort(action.port as number | string, t.container);
  if (port === undefined)
    return Promise.resolve({ ok: false, message: `invalid port: ${action.port}` });
  const host = action.host || t.podIP;
  const path = action.path?.startsWith("/") ? action.path : `/${action.path ?? ""}`;
  const url = `${(action.scheme ?? "HTTP").toLowerCase()}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  const headers: Record<string, string> = { "User-Agent": "kube-probe/1.34", Accept: "*/*" };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  const send = action.scheme === "HTTPS" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      url,
      { headers, timeout: t.timeoutSeconds * 1000, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve({ ok: true });
        else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.once("timeout", () => {
      req.destroy();
      resolve({
        ok: false,
        message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    req.once("error", (err) => resolve({ ok: false, message: `Get "${url}": ${err.message}` }));
    req.end();
  });
}

export function tcpSocketAction(
  t: HandlerTarget,
  action: { port: number | string; host?: string },
): Promise<Verdict> {
  const port = resolvePort(action.port, t.container);
  if (port === undefined)
    return Promise.resolve({ ok: false, message: `invalid port: ${action.port}` });
  const host = action.host || t.podIP;
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: t.timeoutSeconds * 1000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    socket.once("error", (err) =>
      resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }),
    );
  });
}

export function sleepAction(t: HandlerTarget, seconds: number): Promise<Verdict> {
  return new Promise((resolve) => t.clock.after(seconds * 1000, () => resolve({ ok: true })));
}

/** Runs a lifecycle hook (postStart or preStop). */
export function runLifecycleHandler(t: HandlerTarget, handler: LifecycleHandler): Promise<Verdict> {
  if (handler.exec) return execAction(t, handler.exec.command ?? []);
  if (handler.httpGet) return httpGetAction(t, handler.httpGet);
  if (handler.tcpSocket)
    return tcpSocketAction(t, handler.tcpSocket as { port: number | string; host?: string });
  if (handler.sleep) return sleepAction(t, handler.sleep.seconds);
  return Promise.resolve({
    ok: false,
    message: "a lifecycle handler needs exec, httpGet or sleep",
  });
}
