/**
 * What the kubelet server needs from its node: the pods bound to it (as the kubelet knows them,
 * status included) and, where pods have containers, access to them through CRI. Simulated nodes
 * have no containers and run no kubelet server.
 */
import type { ContainerStats } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";

export interface ContainerLogFile {
  /** The CRI log file (`ContainerStatus.log_path`). */
  readonly path: string;
  readonly running: boolean;
}

export interface StreamRequest {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** The node's containers, by the pod they belong to (upstream kubelet's runtime cache + CRI). */
export interface ContainerAccess {
  /** The log file of a container (by CRI id), or undefined when the runtime no longer has it. */
  logFile(containerId: string): Promise<ContainerLogFile | undefined>;
  isRunning(containerId: string): Promise<boolean>;
  /** The running container of that name in the pod (upstream `findContainer`). */
  runningContainer(pod: Pod, containerName: string): Promise<string | undefined>;
  /** The pod's ready sandbox. */
  readySandbox(pod: Pod): Promise<string | undefined>;
  /** CRI Exec, Attach, PortForward: single-use URLs on the runtime's streaming server. */
  exec(containerId: string, cmd: readonly string[], o: StreamRequest): Promise<string>;
  attach(containerId: string, o: StreamRequest): Promise<string>;
  portForward(sandboxId: string, ports: readonly number[]): Promise<string>;
  /** CPU and memory of every container the runtime has (CRI ListContainerStats). */
  containerStats(): Promise<ContainerStats[]>;
}

export interface KubeletHost {
  readonly nodeName: string;
  getPod(namespace: string, name: string): Pod | undefined;
  /** Every pod bound to this node. */
  pods(): Pod[];
  readonly containers: ContainerAccess;
}
