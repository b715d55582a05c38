/**
 * Makes a container's image present according to its imagePullPolicy (upstream
 * `pkg/kubelet/images/image_manager.go`): Never uses only a present image (ErrImageNeverPull),
 * IfNotPresent pulls when absent, Always pulls every time a container starts. A failed pull is
 * ErrImagePull with the runtime's error and starts a per-pod, per-image back-off (10 s doubling
 * to 5 min) during which the container waits in ImagePullBackOff. Events as upstream.
 */
import type { Container } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import { grpcErrorText } from "../cri/errors.ts";
import type { ImageService, PodSandboxConfig } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";
import { Backoff } from "./backoff.ts";

export type ImageResult =
  | { readonly ok: true; readonly imageRef: string }
  | {
      readonly ok: false;
      readonly reason:
        | "ErrImagePull"
        | "ImagePullBackOff"
        | "ErrImageNeverPull"
        | "InvalidImageName";
      readonly message: string;
    };

export type PodEvent = (type: "Normal" | "Warning", reason: string, message: string) => void;

/** Upstream `applyDefaultImageTag`: a reference without tag or digest means `:latest`. */
export function withDefaultTag(image: string): string {
  if (image.includes("@")) return image;
  const lastSlash = image.lastIndexOf("/");
  return image.slice(lastSlash + 1).includes(":") ? image : `${image}:latest`;
}

export function pullPolicy(container: Container): "Always" | "IfNotPresent" | "Never" {
  if (container.imagePullPolicy)
    return container.imagePullPolicy as "Always" | "IfNotPresent" | "Never";
  return withDefaultTag(container.image ?? "").endsWith(":latest") ? "Always" : "IfNotPresent";
}

export class ImageManager {
  readonly #images: ImageService;
  readonly #backoff: Backoff;
  readonly #clock: Clock;

  constructor(options: { images: ImageService; clock: Clock }) {
    this.#images = options.images;
    this.#clock = options.clock;
    this.#backoff = new Backoff({ clock: options.clock });
  }

  async ensureImageExists(
    pod: Pod,
    container: Container,
    sandboxConfig: PodSandboxConfig,
    event: PodEvent,
  ): Promise<ImageResult> {
    const name = container.image ?? "";
    if (!name || /\s/.test(name) || name !== name.trim()) {
      const message = `Failed to apply default image tag "${name}": couldn't parse image name "${name}": invalid reference format`;
      event("Warning", "InspectFailed", message);
      return { ok: false, reason: "InvalidImageName", message };
    }
    const image = withDefaultTag(name);
    const present = await this.#images.imageStatus(image);
    const policy = pullPolicy(container);
    if (policy === "Never" || (policy === "IfNotPresent" && present)) {
      if (present) {
        event("Normal", "Pulled", `Container image "${name}" already present on machine`);
        return { ok: true, imageRef: present.id };
      }
      const message = `Container image "${name}" is not present with pull policy of Never`;
      event("Warning", "ErrImageNeverPull", message);
      return { ok: false, reason: "ErrImageNeverPull", message };
    }
    const key = `${pod.metadata?.uid}_${name}`;
    if (this.#backoff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image "${name}"`;
      event("Normal", "BackOff", message);
      return { ok: false, reason: "ImagePullBackOff", message };
    }
    event("Normal", "Pulling", `Pulling image "${name}"`);
    const started = this.#clock.now();
    try {
      const imageRef = await this.#images.pullImage(image, undefined, sandboxConfig);
      const ms = this.#clock.now() - started;
      event("Normal", "Pulled", `Successfully pulled image "${name}" in ${ms}ms`);
      this.#backoff.reset(key);
      return { ok: true, imageRef };
    } catch (err) {
      const message = grpcErrorText(err);
      event("Warning", "Failed", `Failed to pull image "${name}": ${message}`);
      this.#backoff.next(key, this.#clock.now());
      return { ok: false, reason: "ErrImagePull", message };
    }
  }

  /** How long until the pull back-off of this pod's image ends (to re-sync then). */
  backoffRemaining(pod: Pod, container: Container): number {
    const key = `${pod.metadata?.uid}_${container.image ?? ""}`;
    return this.#backoff.isInBackOffSinceUpdate(key) ? this.#backoff.get(key) : 0;
  }

  forgetPod(uid: string): void {
    this.#backoff.forgetPrefix(`${uid}_`);
  }
}
