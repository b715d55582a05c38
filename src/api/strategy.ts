/**
 * What a kind adds to the generic registry (upstream: `rest.RESTCreateStrategy` and friends plus
 * the scheme's defaulting functions). Every member is optional; a kind with no strategy at all is
 * stored as given after object-meta validation.
 */
import type { FieldError } from "../machinery/field-errors.ts";
import type { KubeObject } from "./object.ts";
import type { Printer } from "./printer.ts";

export type NameValidation = "dns1123Subdomain" | "dns1123Label" | "dns1035Label" | "path";

export interface Strategy<T extends KubeObject = KubeObject> {
  /** Upstream's defaulting, applied to every object received (create, update, patch result). */
  defaults?(obj: T): void;
  /** Clears or fills what clients may not set on create (after status is reset); `now` in ms. */
  prepareForCreate?(obj: T, now: number): void;
  /** Carries over what clients may not change on update (after status is copied from old). */
  prepareForUpdate?(obj: T, old: T): void;
  /** Status-subresource updates: fills what the server owns in the new status; `now` in ms. */
  prepareForStatusUpdate?(obj: T, old: T, now: number): void;
  validate?(obj: T): FieldError[];
  validateUpdate?(obj: T, old: T): FieldError[];
  /** Status-subresource updates: validation of the new status. */
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  /** pods/ephemeralcontainers updates (only spec.ephemeralContainers changes). */
  validateEphemeralContainersUpdate?(obj: T, old: T): FieldError[];
  /** Warnings returned in `Warning` headers. */
  warnings?(obj: T, old: T | undefined): string[];
  /**
   * Paths of fields the kind's schema does not know (for fieldValidation Strict and Warn), when
   * the kind is not in the built-in schema table (custom resources).
   */
  unknownFields?(obj: T): string[];
  /** Field-selector fields beyond metadata.name and metadata.namespace. */
  selectableFields?(obj: T): Record<string, string>;
  /**
   * Seconds until a delete takes effect (0: at once). `requested` is the client's
   * gracePeriodSeconds. Absent: deletes are immediate.
   */
  gracePeriodSeconds?(obj: T, requested: number | undefined): number;
  /** Finalizers besides metadata.finalizers that keep a deleted object (namespace spec.finalizers). */
  blockingFinalizers?(obj: T): readonly string[];
  /** Changes made when a delete marks the object for deletion (namespace phase Terminating). */
  prepareForDelete?(obj: T): void;
  /** How metadata.name is validated (default: DNS-1123 subdomain). */
  readonly nameValidation?: NameValidation;
  /** PUT of a missing object creates it (leases, events, endpoints...). */
  readonly allowCreateOnUpdate?: boolean;
  /** PUT without metadata.resourceVersion is allowed (default true). */
  readonly allowUnconditionalUpdate?: boolean;
  /** A create keeps the status it was given (nodes register with theirs); default: reset. */
  readonly keepStatusOnCreate?: boolean;
  /** metadata.generation starts at 1 and increments on every spec change. */
  readonly tracksGeneration?: boolean;
  /** Propagation when a delete names none (default Background). */
  readonly defaultPropagation?: "Background" | "Orphan" | "Foreground";
  readonly printer?: Printer<T>;
}
