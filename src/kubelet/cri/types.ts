/**
 * The CRI v1 roles the kubelet uses (upstream `RuntimeService` and `ImageService` in
 * `cri-api/pkg/apis/services.go`), with messages as they travel: snake_case field names, int64 as
 * decimal strings (timestamps are Unix nanoseconds, beyond 2^53), enums as their names. The gRPC
 * adapter (`grpc-client.ts`) and the fake (`fake-cri.ts`) implement these; nothing else in the
 * kubelet knows gRPC.
 */

/** int64 on the wire: a decimal string in responses; requests accept numbers too. */
export type Int64 = string;

export type Protocol = "TCP" | "UDP" | "SCTP";
export type NamespaceMode = "POD" | "CONTAINER" | "NODE" | "TARGET";
export type PodSandboxState = "SANDBOX_READY" | "SANDBOX_NOTREADY";
export type ContainerState =
  | "CONTAINER_CREATED"
  | "CONTAINER_RUNNING"
  | "CONTAINER_EXITED"
  | "CONTAINER_UNKNOWN";

export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

export interface DNSConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export interface PortMapping {
  protocol?: Protocol;
  container_port: number;
  host_port?: number;
  host_ip?: string;
}

export interface Mount {
  container_path: string;
  host_path: string;
  readonly?: boolean;
  selinux_relabel?: boolean;
  propagation?:
    | "PROPAGATION_PRIVATE"
    | "PROPAGATION_HOST_TO_CONTAINER"
    | "PROPAGATION_BIDIRECTIONAL";
}

export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  target_id?: string;
}

export interface Int64Value {
  value: Int64;
}

export interface SecurityProfile {
  profile_type: "RuntimeDefault" | "Unconfined" | "Localhost";
  localhost_ref?: string;
}

export interface LinuxSandboxSecurityContext {
  namespace_options?: NamespaceOption;
  run_as_user?: Int64Value;
  run_as_group?: Int64Value;
  readonly_rootfs?: boolean;
  supplemental_groups?: Int64[];
  privileged?: boolean;
  seccomp?: SecurityProfile;
}

export interface LinuxContainerResources {
  cpu_period?: Int64;
  cpu_quota?: Int64;
  cpu_shares?: Int64;
  memory_limit_in_bytes?: Int64;
  oom_score_adj?: Int64;
  cpuset_cpus?: string;
  cpuset_mems?: string;
  unified?: Record<string, string>;
}

export interface LinuxPodSandboxConfig {
  cgroup_parent?: string;
  security_context?: LinuxSandboxSecurityContext;
  sysctls?: Record<string, string>;
  overhead?: LinuxContainerResources;
  resources?: LinuxContainerResources;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  log_directory?: string;
  dns_config?: DNSConfig;
  port_mappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: LinuxPodSandboxConfig;
}

export interface PodSandboxNetworkStatus {
  ip: string;
  additional_ips: Array<{ ip: string }>;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  created_at: Int64;
  network: PodSandboxNetworkStatus | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtime_handler: string;
}

export interface PodSandboxStatusResponse {
  status: PodSandboxStatus;
  info: Record<string, string>;
}

export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState };
  label_selector?: Record<string, string>;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  created_at: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtime_handler: string;
}

export interface ImageSpec {
  image: string;
  annotations?: Record<string, string>;
  user_specified_image?: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Capability {
  add_capabilities?: string[];
  drop_capabilities?: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespace_options?: NamespaceOption;
  run_as_user?: Int64Value;
  run_as_group?: Int64Value;
  run_as_username?: string;
  readonly_rootfs?: boolean;
  supplemental_groups?: Int64[];
  no_new_privs?: boolean;
  masked_paths?: string[];
  readonly_paths?: string[];
  seccomp?: SecurityProfile;
}

export interface LinuxContainerConfig {
  resources?: LinuxContainerResources;
  security_context?: LinuxContainerSecurityContext;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  working_dir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  log_path?: string;
  stdin?: boolean;
  stdin_once?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig;
}

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  pod_sandbox_id?: string;
  label_selector?: Record<string, string>;
}

export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: ContainerMetadata;
  image: ImageSpec | null;
  image_ref: string;
  state: ContainerState;
  created_at: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  created_at: Int64;
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  image: ImageSpec | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
}

export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exit_code: number;
}

export interface Image {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: Int64;
  uid: Int64Value | null;
  username: string;
  pinned: boolean;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  server_address?: string;
  identity_token?: string;
  registry_token?: string;
}

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: Record<string, string>;
}

export interface FilesystemUsage {
  timestamp: Int64;
  fs_id: { mountpoint: string } | null;
  used_bytes: { value: Int64 } | null;
  inodes_used: { value: Int64 } | null;
}

/** CRI `ContainerStats`: cumulative CPU time and the working set, as the runtime measured them. */
export interface ContainerStats {
  attributes: {
    id: string;
    metadata: ContainerMetadata | null;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  } | null;
  cpu: {
    timestamp: Int64;
    usage_core_nano_seconds: { value: Int64 } | null;
  } | null;
  memory: {
    timestamp: Int64;
    working_set_bytes: { value: Int64 } | null;
  } | null;
}

/** Upstream `RuntimeService`: sandboxes, containers and the runtime itself. */
export interface RuntimeService {
  version(): Promise<VersionResponse>;
  status(): Promise<StatusResponse>;
  updateRuntimeConfig(podCIDR: string): Promise<void>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;
  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Sends the stop signal, then SIGKILL after `timeoutSeconds`. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Runs a command in the container; `timeoutSeconds` 0 means none. */
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse>;
  reopenContainerLog(containerId: string): Promise<void>;
  /** Resource usage of every container the runtime has (CRI ListContainerStats). */
  listContainerStats(): Promise<ContainerStats[]>;
}

/** Options of CRI Exec and Attach (which streams the client will attach). */
export interface StreamOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/**
 * The streaming calls of upstream's `RuntimeService` (Exec, Attach, PortForward): each returns a
 * single-use URL on the runtime's streaming server, which the kubelet server proxies clients to.
 */
export interface StreamingService {
  exec(containerId: string, cmd: readonly string[], options: StreamOptions): Promise<string>;
  attach(containerId: string, options: StreamOptions): Promise<string>;
  portForward(podSandboxId: string, ports: readonly number[]): Promise<string>;
}

/** Upstream `ImageManagerService`. */
export interface ImageService {
  listImages(): Promise<Image[]>;
  /** The image, or undefined when it is not present (not an error in CRI). */
  imageStatus(image: string): Promise<Image | undefined>;
  /** Pulls and returns the image reference (its id). */
  pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  removeImage(image: string): Promise<void>;
  imageFsInfo(): Promise<FilesystemUsage[]>;
}

/** Unix nanoseconds (a decimal string) → milliseconds; 0 stays 0 ("not set"). */
export function nanosToMillis(ns: Int64 | number | undefined): number {
  if (ns === undefined || ns === "" || ns === "0" || ns === 0) return 0;
  return Number(BigInt(ns) / 1_000_000n);
}
