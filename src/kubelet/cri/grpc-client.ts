/**
 * The CRI v1 client over gRPC on a unix socket: the only file in the kubelet that knows gRPC.
 * It encodes and decodes messages with protobufjs from the generated descriptor
 * (`generated/cri-v1.json`), calls `/runtime.v1.RuntimeService/*` and `/runtime.v1.ImageService/*`
 * through `GrpcUnixChannel` with a deadline each, and turns failures into `CriError`. See
 * docs/adr/0011-cri-client.md.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs/light.js";
import { CriError, type CriErrorCode } from "./errors.ts";
import { GrpcCallError, GrpcUnixChannel } from "./grpc-unary.ts";
import type {
  AuthConfig,
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

/** Messages as they travel in this client: snake_case, int64 and enums as strings, defaults set. */
const toObjectOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

interface Method {
  readonly path: string;
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
}

let root: protobuf.Root | undefined;
const methods = new Map<string, Method | null>();

/** A method of `runtime.v1.<service>`, resolved from the descriptor on first use. */
function method(service: string, name: string): Method | undefined {
  const key = `${service}/${name}`;
  let m = methods.get(key);
  if (m === undefined) {
    root ??= protobuf.Root.fromJSON(
      JSON.parse(readFileSync(new URL("./generated/cri-v1.json", import.meta.url), "utf8")),
    );
    const def = root.lookupService(`runtime.v1.${service}`).methods[name];
    m = def
      ? {
          path: `/runtime.v1.${key}`,
          request: root.lookupType(`runtime.v1.${def.requestType}`),
          response: root.lookupType(`runtime.v1.${def.responseType}`),
        }
      : null;
    methods.set(key, m);
  }
  return m ?? undefined;
}

/** The gRPC statuses callers tell apart; any other is "Unknown". */
const known = new Set<string>([
  "NotFound",
  "Unavailable",
  "DeadlineExceeded",
  "Unimplemented",
  "InvalidArgument",
  "AlreadyExists",
] satisfies CriErrorCode[]);

export class CriClient implements RuntimeService, ImageService, StreamingService {
  readonly socket: string;
  readonly #channel: GrpcUnixChannel;
  readonly #timeoutMs: number;
  readonly #pullTimeoutMs: number;

  constructor(options: CriClientOptions) {
    this.socket = options.socket;
    // Upstream kubelet allows 16 MiB responses (ListContainers on a busy node).
    this.#channel = new GrpcUnixChannel(options.socket, { maxReceiveBytes: 16 << 20 });
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#pullTimeoutMs = options.pullTimeoutMs ?? 600_000;
  }

  async #call<T>(service: string, name: string, req: object, timeoutMs?: number): Promise<T> {
    const m = method(service, name);
    if (!m) throw new CriError("Unimplemented", name, "unknown method");
    const body = m.request.encode(m.request.fromObject(req)).finish();
    try {
      const res = await this.#channel.call(m.path, body, timeoutMs ?? this.#timeoutMs);
      return m.response.toObject(m.response.decode(res), toObjectOptions) as T;
    } catch (err) {
      if (!(err instanceof GrpcCallError)) throw err;
      const code = known.has(err.status) ? (err.status as CriErrorCode) : "Unknown";
      throw new CriError(code, name, err.details, { cause: err });
    }
  }

  #rt<T>(name: string, req: object, timeoutMs?: number): Promise<T> {
    return this.#call<T>("RuntimeService", name, req, timeoutMs);
  }

  #img<T>(name: string, req: object, timeoutMs?: number): Promise<T> {
    return this.#call<T>("ImageService", name, req, timeoutMs);
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

  async listContainerStats(): Promise<ContainerStats[]> {
    const res = await this.#rt<{ stats: ContainerStats[] }>("ListContainerStats", {});
    return res.stats;
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
    const res = await this.#img<{ images: Image[] }>("ListImages", {});
    return res.images;
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    const res = await this.#img<{ image: Image | null }>("ImageStatus", {
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
    const res = await this.#img<{ image_ref: string }>(
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
    await this.#img("RemoveImage", { image: { image } });
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    const res = await this.#img<{ image_filesystems: FilesystemUsage[] }>("ImageFsInfo", {});
    return res.image_filesystems;
  }

  close(): void {
    this.#channel.close();
  }
}
