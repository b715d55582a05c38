/**
 * Image references normalised as Docker and containerd do (distribution/reference
 * `ParseNormalizedNamed` + `TagNameOnly`): `nginx` → `docker.io/library/nginx:latest`,
 * `quay.io/org/tool` → `quay.io/org/tool:latest`. The registry host decides which hosts.toml
 * containerd consults.
 */
export interface ImageReference {
  /** Registry host, e.g. `docker.io`, `registry.k8s.io`, `127.0.0.1:5000`. */
  readonly domain: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_DOMAIN = "docker.io";
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export class InvalidReferenceError extends Error {
  override name = "InvalidReferenceError";
}

/** Parses a reference the way `docker pull` reads it; throws InvalidReferenceError. */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest))
      throw new InvalidReferenceError(`invalid digest in ${JSON.stringify(ref)}`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag))
      throw new InvalidReferenceError(`invalid tag in ${JSON.stringify(ref)}`);
  }
  let domain = DOCKER_DOMAIN;
  let path = rest;
  const slash = rest.indexOf("/");
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === "index.docker.io") domain = DOCKER_DOMAIN;
  if (domain === DOCKER_DOMAIN && !path.includes("/")) path = `library/${path}`;
  if (path === "" || !path.split("/").every((c) => pathComponent.test(c))) {
    throw new InvalidReferenceError(`invalid reference format: ${JSON.stringify(ref)}`);
  }
  return {
    domain,
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** The fully qualified form containerd stores: domain/path:tag (latest when no tag or digest). */
export function normalizeImageReference(ref: string): string {
  const r = parseImageReference(ref);
  const tag = r.tag ?? (r.digest ? undefined : "latest");
  return `${r.domain}/${r.path}${tag ? `:${tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}
