/**
 * Admission: plugins that see every write after authentication and authorization, in two
 * phases as upstream — mutating (may change the object) then validating (may only refuse).
 * A plugin refuses by throwing a StatusError.
 */
import type { KubeObject } from "../../api/object.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import type { UserInfo } from "../authn/user.ts";

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface AdmissionAttributes {
  readonly operation: Operation;
  readonly resource: ResourceDefinition;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  /** The object being written (absent for DELETE). Mutating plugins change it in place. */
  readonly object: KubeObject | undefined;
  readonly oldObject: KubeObject | undefined;
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** Warnings for the `Warning` response header (PodSecurity's "would violate…"). */
  readonly warnings: string[];
}

export interface AdmissionPlugin {
  readonly name: string;
  admit?(attrs: AdmissionAttributes): Promise<void>;
  validate?(attrs: AdmissionAttributes): Promise<void>;
}

/** Runs plugins in order: every `admit`, then every `validate`. */
export class AdmissionChain {
  readonly #plugins: readonly AdmissionPlugin[];

  constructor(plugins: readonly AdmissionPlugin[]) {
    this.#plugins = plugins;
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) await p.admit?.(attrs);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) await p.validate?.(attrs);
  }
}

export const noAdmission = new AdmissionChain([]);
