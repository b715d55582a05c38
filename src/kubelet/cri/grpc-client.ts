/**
 * The CRI v1 client over gRPC on a unix socket: the only file in the kubelet that knows gRPC.
 * It loads the generated descriptor (`generated/cri-v1.json`) with `@grpc/proto-loader`, calls
 * `/runtime.v1.RuntimeService/*` and `/runtime.v1.ImageService/*` with a deadline each, and turns
 * failures into `CriError`. See docs/adr/0011-cri-client.md for why grpc-js.
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { CriError, type CriErrorCode } from "./errors.ts";
import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
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
  StreamingService,
  StreamOptions,
  VersionResponse,
} from "./types.ts";

export interface CriClientOptions {
  /** Path of the runtime's socket, e.g. /run/containerd/containerd.sock. */
  readonly socket: string;
  /** Deadline of ordinary calls (default 2 min, upstream's runtime-request-timeout). */
  readonly timeoutMs?: number;
  /** Deadline of PullImage (default 10 min; pulls from a local registry take well under 1 s). */
  readonly pullTimeoutMs?: number;
}

type Callback<T> = (err: grpc.ServiceError | null, res: T) => void;
type Unary = (req: object, opts: grpc.CallOptions, cb: Callback<unknown>) => void;
type ServiceClient = grpc.Client & Record<string, Unary>;
type ServiceCtor = new (
  target: string,
  creds: grpc.ChannelCredentials,
  options: grpc.ChannelOptions,
) => ServiceClient;

let loaded: { runtime: ServiceCtor; image: ServiceCtor } | undefined;

function services(): { runtime: ServiceCtor; image: ServiceCtor } {
  if (!loaded) {
    const json = JSON.parse(
      readFileSync(new URL("./generated/cri-v1.json", import.meta.url), "utf8"),
    ) as Record<string, unknown>;
    const def = protoLoader.fromJSON(json, {
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      runtime: { v1: { RuntimeService: ServiceCtor; ImageService: ServiceCtor } };
    };
    loaded = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  }
  return loaded;
}

const codes: Partial<Record<number, CriErrorCode>> = {
  [grpc.status.NOT_FOUND]: "NotFound",
  [grpc.status.UNAVAILABLE]: "Unavailable",
  [grpc.status.DEADLINE_EXCEEDED]: "DeadlineExceeded",
  [grpc.status.UNIMPLEMENTED]: "Unimplemented",
  [grpc.status.INVALID_ARGUMENT]: "InvalidArgument",
  [grpc.status.ALREADY_EXISTS]: "AlreadyExists",
};

export class CriClient implements RuntimeService, ImageService, StreamingService {
  readonly socket: string;
  readonly #channel: grpc.Channel;
  readonly #runtime: ServiceClient;
  readonly #image: ServiceClient;
  readonly #timeoutMs: number;
  readonly #pullTimeoutMs: number;

  constructor(options: CriClientOptions) {
    const svc = services();
    this.socket = options.socket;
    const target = `unix://${options.socket}`;
    const creds = grpc.credentials.createInsecure();
    const channelOptions: grpc.ChannelOptions = {
      // Upstream kubelet allows 16 MiB responses (ListContainers on a busy node).
      "grpc.max_receive_message_length": 16 << 20,
      "grpc.max_send_message_length": 16 << 20,
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
      "grpc.min_reconnect_backoff_ms": 100,
    };
    const channel = new grpc.Channel(target, creds, channelOptions);
    this.#channel = channel;
    this.#runtime = new svc.runtime(target, creds, { ...channelOptions, channelOverride: channel });
    this.#image = new svc.image(target, creds, { ...channelOptions, channelOverride: channel });
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#pullTimeoutMs = options.pullTimeoutMs ?? 600_000;
  }

  #call<T>(client: ServiceClient, method: string, req: object, timeoutMs?: number): Promise<T> {
    const fn = client[method];
    if (!fn) return Promise.reject(new CriError("Unimplemented", method, "unknown method"));
    const deadline = Date.now() + (timeoutMs ?? this.#timeoutMs);
    return new Promise<T>((resolve, reject) => {
      fn.call(client, req, { deadline }, (err, res) => {
        if (!err) return resolve(res as T);
        const code = codes[err.code] ?? "Unknown";
        reject(new CriError(code, method, err.details || err.message, { cause: err }));
      });
    });
  }

  #rt<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.#call<T>(this.#runtime, method, req, timeoutMs);
  }

  version(): Promise<VersionResponse> {
    return this.#rt("Version", { version: "v1" });
  }

  status(): Promise<StatusResponse> {
    return this.#rt("Status", { verbose: false });
  }

  async updateRuntimeConfig(podCIDR: string): Promise<void> {
    await this.#rt("UpdateRuntimeConfig", {
      runtime_config: { network_config: { pod_cidr: podCIDR } },
    });
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ""): Promise<string> {
    const res = await this.#rt<{ pod_sandbox_id: string }>("RunPodSandbox", {
      config,
      runtime_handler: runtimeHandler,
    });
    return res.pod_sandbox_id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.#rt("StopPodSandbox", { pod_sandbox_id: podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.#rt("RemovePodSandbox", { pod_sandbox_id: podSandboxId });
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const res = await this.#rt<{ status: PodSandboxStatus }>("PodSandboxStatus", {
      pod_sandbox_id: podSandboxId,
      verbose: false,
    });
    return res.status;
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const res = await this.#rt<{ items: PodSandbox[] }>("ListPodSandbox", filter ? { filter } : {});
    return res.items;
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const res = await this.#rt<{ container_id: string }>("CreateContainer", {
      pod_sandbox_id: podSandboxId,
      config,
      sandbox_config: sandboxConfig,
    });
    return res.container_id;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.#rt("StartContainer", { container_id: containerId });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    // The call lasts up to the grace period; allow for it beyond the ordinary deadline.
    await this.#rt(
      "StopContainer",
      { container_id: containerId, timeout: String(timeoutSeconds) },
      this.#timeoutMs + timeoutSeconds * 1000,
    );
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.#rt("RemoveContainer", { container_id: containerId });
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const res = await this.#rt<{ containers: Container[] }>(
      "ListContainers",
      filter ? { filter } : {},
    );
    return res.containers;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const res = await this.#rt<{ status: ContainerStatus }>("ContainerStatus", {
      container_id: containerId,
      verbose: false,
    });
    return res.status;
  }

  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse> {
    return this.#rt(
      "ExecSync",
      { container_id: containerId, cmd, timeout: String(timeoutSeconds) },
      timeoutSeconds > 0 ? timeoutSeconds * 1000 + 5000 : this.#timeoutMs,
    );
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.#rt("ReopenContainerLog", { container_id: containerId });
  }

  async exec(containerId: string, cmd: readonly string[], o: StreamOptions): Promise<string> {
    const res = await this.#rt<{ url: string }>("Exec", {
      container_id: containerId,
      cmd,
      tty: o.tty,
      stdin: o.stdin,
      stdout: o.stdout,
      stderr: o.stderr,
    });
    return res.url;
  }

  async attach(containerId: string, o: StreamOptions): Promise<string> {
    const res = await this.#rt<{ url: string }>("Attach", {
      container_id: containerId,
      stdin: o.stdin,
      tty: o.tty,
      stdout: o.stdout,
      stderr: o.stderr,
    });
    return res.url;
  }

  async portForward(podSandboxId: string, ports: readonly number[]): Promise<string> {
    const res = await this.#rt<{ url: string }>("PortForward", {
      pod_sandbox_id: podSandboxId,
      port: ports,
    });
    return res.url;
  }

  async listImages(): Promise<Image[]> {
    const res = await this.#call<{ images: Image[] }>(this.#image, "ListImages", {});
    return res.images;
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    const res = await this.#call<{ image: Image | null }>(this.#image, "ImageStatus", {
      image: { image },
      verbose: false,
    });
    return res.image ?? undefined;
  }

  async pullImage(
    image: string,
    auth?: AuthConfig,
    sandboxConfig?: PodSandboxConfig,
  ): Promise<string> {
    const res = await this.#call<{ image_ref: string }>(
      this.#image,
      "PullImage",
      {
        image: { image },
        ...(auth ? { auth } : {}),
        ...(sandboxConfig ? { sandbox_config: sandboxConfig } : {}),
      },
      this.#pullTimeoutMs,
    );
    return res.image_ref;
  }

  async removeImage(image: string): Promise<void> {
    await this.#call(this.#image, "RemoveImage", { image: { image } });
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    const res = await this.#call<{ image_filesystems: FilesystemUsage[] }>(
      this.#image,
      "ImageFsInfo",
      {},
    );
    return res.image_filesystems;
  }

  close(): void {
    this.#runtime.close();
    this.#image.close();
    this.#channel.close();
  }
}
