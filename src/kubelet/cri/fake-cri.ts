/**
 * An in-memory CRI runtime for unit tests, behaving as containerd does where the kubelet can
 * tell: sandboxes get an IP, containers go CREATED → RUNNING → EXITED, a stopped sandbox is
 * NOTREADY with no IP, removing a sandbox removes its containers, unknown ids are NotFound, a
 * duplicate name + attempt in a sandbox fails, images must be present or pulled first, and a
 * sandbox keeps the runtime handler it was run with (an unconfigured one fails, given
 * `runtimeHandlers`).
 * Tests drive container exits with `exit()` and pull failures with `failPulls`.
 */
import { CriError } from "./errors.ts";
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecSyncResponse,
  FilesystemUsage,
  Image,
  ImageService,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeService,
  StatusResponse,
  VersionResponse,
} from "./types.ts";

interface FakeSandbox {
  status: PodSandboxStatus;
  config: PodSandboxConfig;
}

interface FakeContainer {
  status: ContainerStatus;
  config: ContainerConfig;
  sandboxId: string;
}

const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const matches = (labels: Record<string, string>, selector?: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

export class FakeCri implements RuntimeService, ImageService {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, Image>();
  /** Every call, as "Method id-or-name", for assertions on order. */
  readonly calls: string[] = [];
  /** Image → the error message PullImage fails with. */
  readonly failPulls = new Map<string, string>();
  /** Image → the error message StartContainer fails with (e.g. a missing binary). */
  readonly failStarts = new Map<string, string>();
  /** Exec results by command (joined by spaces); default exit 0. */
  readonly execResults = new Map<string, ExecSyncResponse>();
  /**
   * The runtime handlers configured besides the default "" (containerd's `runtimes` table);
   * RunPodSandbox with another one fails as containerd does. Undefined: every handler works.
   */
  runtimeHandlers: Set<string> | undefined;
  networkReady = true;
  now: () => number;
  #next = 1;
  #nextIP = 2;

  constructor(options: { now?: () => number; images?: string[]; runtimeHandlers?: string[] } = {}) {
    this.now = options.now ?? Date.now;
    this.runtimeHandlers = options.runtimeHandlers && new Set(options.runtimeHandlers);
    for (const image of options.images ?? []) this.addImage(image);
  }

  addImage(image: string): void {
    const id = `sha256:${(this.#next++).toString(16).padStart(64, "0")}`;
    this.images.set(image, {
      id,
      repo_tags: [image],
      repo_digests: [],
      size: "1000",
      uid: null,
      username: "",
      pinned: false,
    });
  }

  /** Ends a running container as the runtime would report it. */
  exit(containerId: string, exitCode: number, reason = exitCode === 0 ? "Completed" : "Error") {
    const c = this.#container("exit", containerId);
    c.status = {
      ...c.status,
      state: "CONTAINER_EXITED",
      exit_code: exitCode,
      reason,
      finished_at: ns(this.now()),
    };
  }

  #id(): string {
    return (this.#next++).toString(16).padStart(16, "0");
  }

  #sandbox(method: string, id: string): FakeSandbox {
    const s = this.sandboxes.get(id);
    if (!s)
      throw new CriError(
        "NotFound",
        method,
        `an error occurred when try to find sandbox: not found`,
      );
    return s;
  }

  #container(method: string, id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c)
      throw new CriError(
        "NotFound",
        method,
        `an error occurred when try to find container "${id}": not found`,
      );
    return c;
  }

  async version(): Promise<VersionResponse> {
    return {
      version: "0.1.0",
      runtime_name: "fake",
      runtime_version: "1.0.0",
      runtime_api_version: "v1",
    };
  }

  async status(): Promise<StatusResponse> {
    return {
      status: {
        conditions: [
          { type: "RuntimeReady", status: true, reason: "", message: "" },
          { type: "NetworkReady", status: this.networkReady, reason: "", message: "" },
        ],
      },
      info: {},
    };
  }

  async updateRuntimeConfig(): Promise<void> {}

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ""): Promise<string> {
    this.calls.push(
      runtimeHandler === ""
        ? `RunPodSandbox ${config.metadata.name}`
        : `RunPodSandbox ${config.metadata.name} handler=${runtimeHandler}`,
    );
    if (
      runtimeHandler !== "" &&
      this.runtimeHandlers &&
      !this.runtimeHandlers.has(runtimeHandler)
    ) {
      throw new CriError(
        "Unknown",
        "RunPodSandbox",
        `failed to get sandbox runtime: no runtime for ${JSON.stringify(runtimeHandler)} is configured`,
      );
    }
    const id = this.#id();
    const hostNet = config.linux?.security_context?.namespace_options?.network === "NODE";
    this.sandboxes.set(id, {
      config,
      status: {
        id,
        metadata: config.metadata,
        state: "SANDBOX_READY",
        created_at: ns(this.now()),
        network: { ip: hostNet ? "" : `10.244.0.${this.#nextIP++}`, additional_ips: [] },
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        runtime_handler: runtimeHandler,
      },
    });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.calls.push(`StopPodSandbox ${id}`);
    const s = this.#sandbox("StopPodSandbox", id);
    for (const c of this.containers.values()) {
      if (c.sandboxId === id && c.status.state === "CONTAINER_RUNNING") this.exit(c.status.id, 137);
    }
    s.status = { ...s.status, state: "SANDBOX_NOTREADY", network: { ip: "", additional_ips: [] } };
  }

  async removePodSandbox(id: string): Promise<void> {
    this.calls.push(`RemovePodSandbox ${id}`);
    for (const [cid, c] of this.containers) if (c.sandboxId === id) this.containers.delete(cid);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return this.#sandbox("PodSandboxStatus", id).status;
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()]
      .map((s) => s.status)
      .filter(
        (s) =>
          (!filter?.id || s.id === filter.id) &&
          (!filter?.state || s.state === filter.state.state) &&
          matches(s.labels, filter?.label_selector),
      )
      .map(({ network: _, ...rest }) => rest);
  }

  async createContainer(
    sandboxId: string,
    config: ContainerConfig,
    _sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    this.calls.push(`CreateContainer ${config.metadata.name}`);
    this.#sandbox("CreateContainer", sandboxId);
    const image = this.#findImage(config.image.image);
    if (!image)
      throw new CriError("NotFound", "CreateContainer", `image "${config.image.image}" not found`);
    for (const c of this.containers.values()) {
      if (
        c.sandboxId === sandboxId &&
        c.config.metadata.name === config.metadata.name &&
        c.config.metadata.attempt === config.metadata.attempt
      ) {
        throw new CriError("Unknown", "CreateContainer", "failed to reserve container name");
      }
    }
    const id = this.#id();
    this.containers.set(id, {
      sandboxId,
      config,
      status: {
        id,
        metadata: config.metadata,
        state: "CONTAINER_CREATED",
        created_at: ns(this.now()),
        started_at: "0",
        finished_at: "0",
        exit_code: 0,
        image: config.image,
        image_ref: image.id,
        reason: "",
        message: "",
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        log_path: `${config.log_path ?? ""}`,
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.push(`StartContainer ${id}`);
    const c = this.#container("StartContainer", id);
    const failure = this.failStarts.get(c.config.image.image);
    if (failure) {
      c.status = {
        ...c.status,
        state: "CONTAINER_EXITED",
        exit_code: 128,
        reason: "StartError",
        message: failure,
        started_at: "0",
        finished_at: ns(this.now()),
      };
      throw new CriError("Unknown", "StartContainer", failure);
    }
    c.status = { ...c.status, state: "CONTAINER_RUNNING", started_at: ns(this.now()) };
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.push(`StopContainer ${id} ${timeoutSeconds}`);
    const c = this.#container("StopContainer", id);
    if (c.status.state === "CONTAINER_RUNNING") this.exit(id, 143);
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push(`RemoveContainer ${id}`);
    this.containers.delete(id);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    return [...this.containers.values()]
      .filter(
        (c) =>
          (!filter?.id || c.status.id === filter.id) &&
          (!filter?.pod_sandbox_id || c.sandboxId === filter.pod_sandbox_id) &&
          (!filter?.state || c.status.state === filter.state.state) &&
          matches(c.status.labels, filter?.label_selector),
      )
      .map((c) => ({
        id: c.status.id,
        pod_sandbox_id: c.sandboxId,
        metadata: c.status.metadata,
        image: c.status.image,
        image_ref: c.status.image_ref,
        state: c.status.state,
        created_at: c.status.created_at,
        labels: c.status.labels,
        annotations: c.status.annotations,
      }));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.#container("ContainerStatus", id).status;
  }

  async execSync(id: string, cmd: string[]): Promise<ExecSyncResponse> {
    this.calls.push(`ExecSync ${id} ${cmd.join(" ")}`);
    this.#container("ExecSync", id);
    return (
      this.execResults.get(cmd.join(" ")) ?? {
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
        exit_code: 0,
      }
    );
  }

  async reopenContainerLog(): Promise<void> {}

  /** Usage by container id: cumulative CPU nanoseconds and working set bytes (default 0). */
  readonly usage = new Map<string, { cpuNanos: number; memoryBytes: number }>();

  async listContainerStats(): Promise<ContainerStats[]> {
    const at = ns(this.now());
    return [...this.containers.values()].map((c) => {
      const u = this.usage.get(c.status.id) ?? { cpuNanos: 0, memoryBytes: 0 };
      return {
        attributes: {
          id: c.status.id,
          metadata: c.status.metadata,
          labels: c.status.labels,
          annotations: c.status.annotations,
        },
        cpu: { timestamp: at, usage_core_nano_seconds: { value: String(u.cpuNanos) } },
        memory: { timestamp: at, working_set_bytes: { value: String(u.memoryBytes) } },
      };
    });
  }

  async listImages(): Promise<Image[]> {
    return [...this.images.values()];
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    return this.#findImage(image);
  }

  /** By reference or by id, as containerd resolves both. */
  #findImage(ref: string): Image | undefined {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref);
  }

  async pullImage(image: string): Promise<string> {
    this.calls.push(`PullImage ${image}`);
    const failure = this.failPulls.get(image);
    if (failure) throw new CriError("NotFound", "PullImage", failure);
    if (!this.images.has(image)) this.addImage(image);
    return this.images.get(image)!.id;
  }

  async removeImage(image: string): Promise<void> {
    this.images.delete(image);
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    return [];
  }
}
