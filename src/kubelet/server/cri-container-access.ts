/**
 * `ContainerAccess` over CRI: containers and sandboxes are found by the labels the kubelet puts
 * on them (pod uid, container name), so the server needs no state of its own and sees what the
 * runtime has after a kubelet restart too.
 */
import { isCriError } from "../cri/errors.ts";
import type { ContainerStats, RuntimeService, StreamingService } from "../cri/types.ts";
import { containerNameLabel, podUidLabel } from "../kuberuntime/labels.ts";
import type { Pod } from "../pod-source.ts";
import type { ContainerAccess, ContainerLogFile, StreamRequest } from "./host.ts";

export class CriContainerAccess implements ContainerAccess {
  readonly #runtime: RuntimeService;
  readonly #streaming: StreamingService;

  constructor(runtime: RuntimeService, streaming: StreamingService) {
    this.#runtime = runtime;
    this.#streaming = streaming;
  }

  containerStats(): Promise<ContainerStats[]> {
    return this.#runtime.listContainerStats();
  }

  async logFile(containerId: string): Promise<ContainerLogFile | undefined> {
    try {
      const s = await this.#runtime.containerStatus(containerId);
      return { path: s.log_path, running: s.state === "CONTAINER_RUNNING" };
    } catch (err) {
      if (isCriError(err, "NotFound")) return undefined;
      throw err;
    }
  }

  async isRunning(containerId: string): Promise<boolean> {
    return (await this.logFile(containerId))?.running ?? false;
  }

  async runningContainer(pod: Pod, containerName: string): Promise<string | undefined> {
    const uid = pod.metadata?.uid;
    if (!uid) return undefined;
    const running = await this.#runtime.listContainers({
      state: { state: "CONTAINER_RUNNING" },
      label_selector: { [podUidLabel]: uid, [containerNameLabel]: containerName },
    });
    return running[0]?.id;
  }

  async readySandbox(pod: Pod): Promise<string | undefined> {
    const uid = pod.metadata?.uid;
    if (!uid) return undefined;
    const ready = await this.#runtime.listPodSandbox({
      state: { state: "SANDBOX_READY" },
      label_selector: { [podUidLabel]: uid },
    });
    return ready[0]?.id;
  }

  exec(containerId: string, cmd: readonly string[], o: StreamRequest): Promise<string> {
    return this.#streaming.exec(containerId, cmd, o);
  }

  attach(containerId: string, o: StreamRequest): Promise<string> {
    return this.#streaming.attach(containerId, o);
  }

  portForward(sandboxId: string, ports: readonly number[]): Promise<string> {
    return this.#streaming.portForward(sandboxId, ports);
  }
}
