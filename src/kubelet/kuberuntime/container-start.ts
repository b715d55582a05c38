/**
 * Starting one container of a pod (upstream `kubeGenericRuntimeManager.startContainer`): make
 * the image present, compute the environment, create the container in the sandbox, start it and
 * run its postStart hook. A failure before the container runs comes back as the Waiting reason
 * the pod status shows (ErrImagePull, CreateContainerConfigError, CreateContainerError,
 * RunContainerError, PostStartHookError), with the events upstream records.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Container } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import { grpcErrorText } from "../cri/errors.ts";
import type { ImageService, PodSandboxConfig, RuntimeService } from "../cri/types.ts";
import type { PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import type { MountedVolume } from "../volumes/volume-manager.ts";
import { containerConfig } from "./container-config.ts";
import type { Waiting } from "./container-status.ts";
import { ContainerConfigError, makeEnvironmentVariables } from "./env.ts";
import type { PodIPs } from "./field-ref.ts";
import { runLifecycleHandler } from "./handlers.ts";
import type { ImageManager, PodEvent } from "./image-manager.ts";
import type { StartGate } from "./start-gate.ts";

export interface StartDeps {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly imageManager: ImageManager;
  readonly objects: PodObjects;
  readonly clock: Clock;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly memoryCapacity: number;
  /** Creating and starting wait their turn here (the pod's uid ranks it). */
  readonly gate?: StartGate;
}

export interface StartRequest {
  readonly pod: Pod;
  readonly container: Container;
  readonly isInit: boolean;
  readonly sandboxId: string;
  readonly sandboxConfig: PodSandboxConfig;
  readonly restartCount: number;
  readonly ips: PodIPs;
  readonly volumes: ReadonlyMap<string, MountedVolume>;
  readonly hostsFile: string;
  /** Host file behind the container's terminationMessagePath for this instance. */
  readonly terminationLogFile: string;
  readonly event: PodEvent;
  /** An ephemeral container's target container (CRI id): it shares its process namespace. */
  readonly targetId?: string;
}

/** Starts the container; returns why it waits instead, or undefined once it runs. */
export async function startContainer(
  deps: StartDeps,
  req: StartRequest,
): Promise<Waiting | undefined> {
  const { pod, container, event } = req;
  const image = await deps.imageManager.ensureImageExists(pod, container, req.sandboxConfig, event);
  if (!image.ok) return { reason: image.reason, message: image.message };

  let config: ReturnType<typeof containerConfig>;
  try {
    const envs = await makeEnvironmentVariables({
      pod,
      container,
      objects: deps.objects,
      ips: req.ips,
      allocatable: deps.allocatable,
    });
    await checkRunAsNonRoot(deps.images, pod, container, image.imageRef);
    mkdirSync(dirname(req.terminationLogFile), { recursive: true });
    writeFileSync(req.terminationLogFile, "", { mode: 0o666 });
    config = containerConfig(pod, container, {
      restartCount: req.restartCount,
      imageRef: image.imageRef,
      envs,
      volumes: req.volumes,
      hostsFile: req.hostsFile,
      terminationLogFile: req.terminationLogFile,
      memoryCapacity: deps.memoryCapacity,
      isInit: req.isInit,
      ...(req.targetId ? { targetId: req.targetId } : {}),
    });
  } catch (err) {
    if (!(err instanceof ContainerConfigError)) throw err;
    event("Warning", "Failed", `Error: ${err.message}`);
    return { reason: "CreateContainerConfigError", message: err.message };
  }

  const createAndStart = async (): Promise<string | Waiting> => {
    let id: string;
    try {
      id = await deps.runtime.createContainer(req.sandboxId, config, req.sandboxConfig);
    } catch (err) {
      const message = grpcErrorText(err);
      event("Warning", "Failed", `Error: ${message}`);
      return { reason: "CreateContainerError", message };
    }
    event("Normal", "Created", `Created container: ${container.name}`);
    try {
      await deps.runtime.startContainer(id);
    } catch (err) {
      const message = grpcErrorText(err);
      event("Warning", "Failed", `Error: ${message}`);
      return { reason: "RunContainerError", message };
    }
    return id;
  };
  const uid = pod.metadata?.uid ?? "";
  const started = deps.gate ? await deps.gate.run(uid, createAndStart) : await createAndStart();
  if (typeof started !== "string") return started;
  const id = started;
  event("Normal", "Started", `Started container ${container.name}`);

  const postStart = container.lifecycle?.postStart;
  if (postStart) {
    const verdict = await runLifecycleHandler(
      {
        runtime: deps.runtime,
        containerId: id,
        container,
        podIP: req.ips.podIP,
        timeoutSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30,
        clock: deps.clock,
      },
      postStart,
    );
    if (!verdict.ok) {
      event("Warning", "FailedPostStartHook", verdict.message);
      await deps.runtime
        .stopContainer(id, pod.spec?.terminationGracePeriodSeconds ?? 30)
        .catch(() => {});
      return { reason: "PostStartHookError", message: verdict.message };
    }
  }
  return undefined;
}

/** Upstream `verifyRunAsNonRoot`: the effective user must not be 0 when runAsNonRoot is set. */
async function checkRunAsNonRoot(
  images: ImageService,
  pod: Pod,
  container: Container,
  imageRef: string,
): Promise<void> {
  const sc = container.securityContext;
  const psc = pod.spec?.securityContext;
  if (!(sc?.runAsNonRoot ?? psc?.runAsNonRoot)) return;
  const uid = sc?.runAsUser ?? psc?.runAsUser;
  if (uid !== undefined) {
    if (uid === 0) {
      throw new ContainerConfigError(
        "container's runAsUser breaks non-root policy (pod: \"" +
          `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${container.name})`,
      );
    }
    return;
  }
  const image = await images.imageStatus(imageRef);
  const imageUid = image?.uid?.value;
  if (imageUid !== undefined && Number(imageUid) !== 0) return;
  if (imageUid === undefined && image?.username) {
    throw new ContainerConfigError(
      `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root (pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${container.name})`,
    );
  }
  throw new ContainerConfigError(
    "container has runAsNonRoot and image will run as root " +
      `(pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${container.name})`,
  );
}
