/**
 * The generic registry: create, read, update, delete and watch for any resource, over the Store,
 * written once (upstream `registry/generic/registry/store.go`). Each kind adds only its Strategy.
 *
 * Objects are plain JSON. The registry owns metadata bookkeeping (uid, timestamps, generation,
 * resourceVersion), status-subresource separation, optimistic concurrency, graceful deletion and
 * finalizers, and the translation of Store errors into Status errors.
 */
import type { KubeObject } from "../../api/object.ts";
import { apiVersionOf } from "../../api/object.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import type { Clock } from "../../machinery/clock.ts";
import { deepCopy } from "../../machinery/patch/json-value.ts";
import {
  isStatusError,
  newBadRequest,
  newConflict,
  newInvalid,
  newNotFound,
  optimisticLockErrorMsg,
} from "../../machinery/status.ts";
import { isStoreError } from "../../storage/errors.ts";
import type { KeyValue, Store } from "../../storage/store.ts";
import type { AdmissionAttributes, AdmissionChain } from "../admission/admission.ts";
import type { UserInfo } from "../authn/user.ts";
import { type Selection, selectableFields } from "../handlers/selectors.ts";
import { decodeObject, encodeObject, servedBytes } from "./codec.ts";
import { type DeleteOptions, planDelete, readyToRemove } from "./deletion.ts";
import { trackUpdate } from "./managed-fields.ts";
import { carryOverOnUpdate, fillCreateFields, sameObject } from "./object-meta.ts";
import { toStatusError } from "./storage-errors.ts";
import { validateForCreate, validateForUpdate } from "./validate.ts";

export interface RequestContext {
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** Warnings for the `Warning` response header. */
  readonly warnings: string[];
  /**
   * The field manager credited with this write's changes (metadata.managedFields); absent for
   * the server's own writes. "apply" writes carry managedFields already and are not tracked.
   */
  readonly manager?: string;
  readonly applying?: boolean;
}

/** Undoes what a hook did when the write it prepared fails. */
export type Undo = () => Promise<void>;

/**
 * Resource-specific steps around writes that need the store (service IP and node-port
 * allocation). They run after validation, and never for dry runs.
 */
export interface RegistryHooks {
  beforeCreate?(obj: KubeObject): Promise<Undo | undefined>;
  beforeUpdate?(obj: KubeObject, old: KubeObject): Promise<Undo | undefined>;
  afterUpdate?(obj: KubeObject, old: KubeObject): Promise<void>;
  afterDelete?(obj: KubeObject): Promise<void>;
}

export interface RegistryOptions {
  readonly store: Store;
  readonly definition: ResourceDefinition;
  readonly clock: Clock;
  readonly admission: AdmissionChain;
  readonly hooks?: RegistryHooks;
}

/**
 * "" writes everything but the status; "status" writes only the status; "raw" writes the result
 * as it is (for server-side subresources such as pods/binding and namespaces/finalize, which
 * change fields the main resource may not).
 */
export type UpdateKind = "" | "status" | "ephemeralcontainers" | "raw";

export interface UpdateOptions {
  readonly subresource?: UpdateKind;
  /** A missing object is created (server-side apply creates). */
  readonly createIfMissing?: boolean;
  /** A raw update runs admission as this subresource (e.g. "approval"); without it, none. */
  readonly admitAs?: string;
}

/** Turns the current object (undefined when absent) into the desired one. */
export type Mutation = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

const maxConflictRetries = 10;

/** The namespace and selection of an object as it was written. */
export interface WrittenObject extends Selection {
  readonly namespace: string;
}

/**
 * Objects just written, by the bytes they were stored as: the watch cache takes a write's
 * selection from here and splices its served JSON from the bytes, instead of parsing every write
 * back and serializing it again (half its time at 10,000 pods). Taken when the object is encoded,
 * so nothing done to it afterwards shows.
 */
const written = new WeakMap<Uint8Array, WrittenObject>();

/**
 * The served bytes made from a stored value, by that value: a write's response and its watch
 * cache entry are the same bytes, spliced once (the cache keeps them; nobody changes them).
 */
const served = new WeakMap<
  Uint8Array,
  { revision: number; def: ResourceDefinition; bytes: Uint8Array }
>();

/** An object's current version: its modification revision, and a fresh decoded copy each call. */
export interface CurrentObject {
  readonly modRevision: number;
  decode(): KubeObject;
}

/** The current object at a Store key as a cache holds it (undefined when it holds none). */
export type CurrentObjects = (key: string) => CurrentObject | undefined;

export class GenericRegistry {
  readonly definition: ResourceDefinition;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #admission: AdmissionChain;
  readonly #storagePrefix: string;
  readonly #hooks: RegistryHooks;
  /** What each object a create or update returned was stored as (see `responseBody`). */
  readonly #stored = new WeakMap<KubeObject, KeyValue>();
  #currentObjects: CurrentObjects | undefined;

  constructor(options: RegistryOptions) {
    this.definition = options.definition;
    this.#hooks = options.hooks ?? {};
    this.#store = options.store;
    this.#clock = options.clock;
    this.#admission = options.admission;
    const def = options.definition;
    const group = def.storage ? def.storage.group : def.group;
    const resource = def.storage ? def.storage.resource : def.plural;
    this.#storagePrefix = `/registry/${group || "core"}/${resource}/`;
  }

  /** Where updates read the current object first (the watch cache; see `update`). */
  readCurrentFrom(source: CurrentObjects): void {
    this.#currentObjects = source;
  }

  get groupResource() {
    return { group: this.definition.group, resource: this.definition.plural };
  }

  get store(): Store {
    return this.#store;
  }

  /** Key prefix of one namespace, or of all objects ("" namespace). */
  prefix(namespace: string): string {
    return this.definition.namespaced && namespace
      ? `${this.#storagePrefix}${namespace}/`
      : this.#storagePrefix;
  }

  key(namespace: string, name: string): string {
    return this.definition.namespaced
      ? `${this.#storagePrefix}${namespace}/${name}`
      : `${this.#storagePrefix}${name}`;
  }

  /** Decodes a stored value into this resource's version. */
  fromStored(kv: KeyValue): KubeObject {
    const stored = decodeObject(kv);
    const obj = this.definition.storage ? this.definition.storage.fromStorage(stored) : stored;
    obj.apiVersion = apiVersionOf(this.definition.group, this.definition.version);
    obj.kind = this.definition.kind;
    return obj;
  }

  #toStored(obj: KubeObject): Uint8Array {
    const def = this.definition;
    if (def.storage) return encodeObject(def.storage.toStorage(obj));
    const bytes = encodeObject(obj);
    const meta = obj.metadata ?? {};
    written.set(bytes, {
      namespace: meta.namespace ?? "",
      labels: { ...meta.labels },
      fields: selectableFields(def, obj),
    });
    return bytes;
  }

  /**
   * What selectors see of an object this registry wrote, by the bytes it stored, while those
   * bytes are referenced (a Store event holding them, say); undefined for any other value.
   */
  written(kv: KeyValue): WrittenObject | undefined {
    return written.get(kv.value);
  }

  /**
   * The stored object as served, in UTF-8, straight from the stored bytes (in memory of its own,
   * fit to keep); undefined when it must be decoded (stored as another version).
   */
  servedBytes(kv: KeyValue): Uint8Array | undefined {
    const def = this.definition;
    if (def.storage) return undefined;
    const known = served.get(kv.value);
    if (known?.revision === kv.modRevision && known.def === def) return known.bytes;
    const bytes = servedBytes(kv, apiVersionOf(def.group, def.version), def.kind);
    if (bytes) served.set(kv.value, { revision: kv.modRevision, def, bytes });
    return bytes;
  }

  /** The object as a JSON body, read without decoding when possible (the GET fast path). */
  async getBody(namespace: string, name: string): Promise<Uint8Array | string> {
    try {
      const kv = await this.#store.get(this.key(namespace, name));
      return this.servedBytes(kv) ?? JSON.stringify(this.fromStored(kv));
    } catch (err) {
      throw toStatusError(err, this.groupResource, name);
    }
  }

  /**
   * The JSON body of an object this registry's create or update just returned, from the bytes it
   * stored (no second encoding); undefined for any other object.
   */
  responseBody(obj: KubeObject): Uint8Array | undefined {
    const kv = this.#stored.get(obj);
    if (!kv || obj.metadata?.resourceVersion !== String(kv.modRevision)) return undefined;
    return this.servedBytes(kv);
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    try {
      return this.fromStored(await this.#store.get(this.key(namespace, name)));
    } catch (err) {
      throw toStatusError(err, this.groupResource, name);
    }
  }

  async create(namespace: string, input: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    const { definition } = this;
    const strategy = definition.strategy;
    const obj = this.#normalize(input, namespace);
    const meta = obj.metadata!;
    if (meta.resourceVersion) {
      throw newBadRequest("resourceVersion should not be set on objects to be created");
    }
    strategy.defaults?.(obj);
    this.#track(undefined, obj, ctx, "");
    await this.#admission.admit(this.#attrs("CREATE", obj, undefined, ctx, ""));
    if (definition.subresources?.includes("status") && !strategy.keepStatusOnCreate)
      delete obj.status;
    const now = this.#clock.now();
    strategy.prepareForCreate?.(obj, now);
    fillCreateFields(obj, {
      now,
      tracksGeneration: strategy.tracksGeneration ?? false,
    });
    const errors = validateForCreate(obj, definition);
    if (errors.length > 0) throw newInvalid(definition, meta.name ?? "", errors);
    ctx.warnings.push(...(strategy.warnings?.(obj, undefined) ?? []));
    await this.#admission.validate(this.#attrs("CREATE", obj, undefined, ctx, ""));
    if (ctx.dryRun) return obj;
    const undo = await this.#hooks.beforeCreate?.(obj);
    try {
      const kv = await this.#store.create(this.key(namespace, meta.name!), this.#toStored(obj));
      meta.resourceVersion = String(kv.modRevision);
      this.#stored.set(obj, kv);
      return obj;
    } catch (err) {
      await undo?.();
      throw toStatusError(err, this.groupResource, meta.name);
    }
  }

  /**
   * Reads the current object, applies `mutate`, and writes the result if it changed, retrying on
   * write conflicts unless the result names a resourceVersion (then a stale one is a 409).
   */
  async update(
    namespace: string,
    name: string,
    mutate: Mutation,
    ctx: RequestContext,
    options: UpdateOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const subresource = options.subresource ?? "";
    const key = this.key(namespace, name);
    // The first try starts from the watch cache's copy, as upstream's GuaranteedUpdate does: one
    // Store read less per update. The cache may lag the Store by a moment, so a write conflict,
    // a resourceVersion other than the cached one, or no change at all is checked against the
    // Store before it is believed.
    let cacheFirst = true;
    for (let attempt = 0; ; attempt++) {
      let current = cacheFirst ? this.#currentObjects?.(key) : undefined;
      const cached = current !== undefined;
      cacheFirst = false;
      if (!cached) {
        try {
          const kv = await this.#store.get(key);
          current = { modRevision: kv.modRevision, decode: () => this.fromStored(kv) };
        } catch (err) {
          if (!isStoreError(err, "NotFound")) throw toStatusError(err, this.groupResource, name);
        }
      }
      const old = current?.decode();
      // The mutation gets its own copy (a plain copy: a third of the cost of decoding again).
      const desired = this.#normalize(await mutate(old && deepCopy(old)), namespace);
      this.#checkName(desired, name);
      if (!old) {
        const allowed = this.definition.strategy.allowCreateOnUpdate || options.createIfMissing;
        if (!allowed || subresource) {
          throw newNotFound(this.groupResource, name);
        }
        const pinned = Boolean(desired.metadata!.resourceVersion);
        delete desired.metadata!.resourceVersion;
        try {
          return { object: await this.create(namespace, desired, ctx), created: true };
        } catch (err) {
          // Another writer created it meanwhile: like a write conflict, read it again and update.
          if (pinned || !isStatusError(err, "AlreadyExists") || attempt >= maxConflictRetries) {
            throw err;
          }
          continue;
        }
      }
      const requestedVersion = desired.metadata!.resourceVersion;
      if (requestedVersion && requestedVersion !== old.metadata!.resourceVersion) {
        if (cached) continue;
        throw newConflict(this.groupResource, name, optimisticLockErrorMsg);
      }
      if (!requestedVersion && this.definition.strategy.allowUnconditionalUpdate === false) {
        throw newInvalid(this.definition, name, [
          {
            type: "FieldValueInvalid",
            field: "metadata.resourceVersion",
            badValue: "",
            detail: "must be specified for an update",
          },
        ]);
      }
      const obj = await this.#prepareUpdate(desired, old, ctx, subresource, options.admitAs);
      if (sameObject(obj, old)) {
        if (cached) continue;
        return { object: old, created: false };
      }
      if (ctx.dryRun) return { object: obj, created: false };
      const undo = await this.#hooks.beforeUpdate?.(obj, old);
      try {
        const written = await this.#writeUpdate(namespace, name, obj, current!.modRevision);
        await this.#hooks.afterUpdate?.(written, old);
        return { object: written, created: false };
      } catch (err) {
        await undo?.();
        const retry = isStoreError(err, "Conflict") && !requestedVersion;
        if (!retry || attempt >= maxConflictRetries) {
          throw toStatusError(err, this.groupResource, name);
        }
      }
    }
  }

  async #prepareUpdate(
    desired: KubeObject,
    old: KubeObject,
    ctx: RequestContext,
    subresource: UpdateKind,
    admitAs?: string,
  ): Promise<KubeObject> {
    const { definition } = this;
    const strategy = definition.strategy;
    let obj = desired;
    if (subresource === "raw") {
      if (admitAs !== undefined) {
        await this.#admission.admit(this.#attrs("UPDATE", obj, old, ctx, admitAs));
      }
      carryOverOnUpdate(obj, old, strategy.tracksGeneration ?? false);
      obj.metadata!.resourceVersion = old.metadata!.resourceVersion ?? "";
      if (admitAs !== undefined) {
        await this.#admission.validate(this.#attrs("UPDATE", obj, old, ctx, admitAs));
      }
      return obj;
    }
    if (subresource === "status") {
      // Only the status, and annotations (Deployments record their revision this way upstream).
      // The rest is the old object's own (`old` is this request's private copy): nothing below
      // changes it, and comparisons of shared parts stop at once. What follows sets metadata's
      // own fields (managedFields, generation…), never inside them, so a shallow copy will do.
      obj = { ...old, metadata: { ...old.metadata }, status: desired.status };
      if (desired.status === undefined) delete obj.status;
      const annotations = desired.metadata?.annotations;
      if (annotations) obj.metadata = { ...obj.metadata, annotations };
      else if (obj.metadata) delete obj.metadata.annotations;
    } else if (subresource === "ephemeralcontainers") {
      // Only spec.ephemeralContainers (upstream `dropNonEphemeralContainerUpdates`), defaulted.
      const spec = { ...(old as { spec?: object }).spec } as Record<string, unknown>;
      const wanted = (desired as { spec?: { ephemeralContainers?: unknown } }).spec
        ?.ephemeralContainers;
      if (wanted === undefined) delete spec.ephemeralContainers;
      else spec.ephemeralContainers = deepCopy(wanted);
      obj = { ...old, metadata: { ...old.metadata }, spec } as KubeObject;
      strategy.defaults?.(obj);
    } else {
      strategy.defaults?.(obj);
      if (definition.subresources?.includes("status")) {
        if (old.status === undefined) delete obj.status;
        else obj.status = deepCopy(old.status);
      }
    }
    this.#track(old, obj, ctx, subresource);
    await this.#admission.admit(this.#attrs("UPDATE", obj, old, ctx, subresource));
    carryOverOnUpdate(obj, old, strategy.tracksGeneration ?? false);
    obj.metadata!.resourceVersion = old.metadata!.resourceVersion ?? "";
    if (subresource === "") strategy.prepareForUpdate?.(obj, old);
    if (subresource === "status") strategy.prepareForStatusUpdate?.(obj, old, this.#clock.now());
    const errors = validateForUpdate(obj, old, definition, subresource);
    if (errors.length > 0) throw newInvalid(definition, obj.metadata?.name ?? "", errors);
    ctx.warnings.push(...(strategy.warnings?.(obj, old) ?? []));
    await this.#admission.validate(this.#attrs("UPDATE", obj, old, ctx, subresource));
    return obj;
  }

  /** Writes an update; an object being deleted whose last finalizer went is removed instead. */
  async #writeUpdate(namespace: string, name: string, obj: KubeObject, revision: number) {
    const key = this.key(namespace, name);
    const meta = obj.metadata!;
    if (readyToRemove(obj, this.definition.strategy)) {
      await this.#store.delete(key, { expectedRevision: revision });
      await this.#hooks.afterDelete?.(obj);
      return obj;
    }
    const kv = await this.#store.update(key, this.#toStored(obj), revision);
    meta.resourceVersion = String(kv.modRevision);
    this.#stored.set(obj, kv);
    return obj;
  }

  async delete(
    namespace: string,
    name: string,
    options: DeleteOptions,
    ctx: RequestContext,
  ): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      let current: KeyValue;
      try {
        current = await this.#store.get(key);
      } catch (err) {
        throw toStatusError(err, this.groupResource, name);
      }
      const obj = this.fromStored(current);
      this.#checkPreconditions(obj, options);
      await this.#admission.admit(this.#attrs("DELETE", undefined, obj, ctx, ""));
      await this.#admission.validate(this.#attrs("DELETE", undefined, obj, ctx, ""));
      const plan = planDelete(obj, options, this.definition.strategy, this.#clock.now());
      if (ctx.dryRun) return { object: plan.updated, deleted: plan.immediate };
      try {
        if (plan.immediate) {
          await this.#store.delete(key, { expectedRevision: current.modRevision });
          await this.#hooks.afterDelete?.(obj);
          return { object: obj, deleted: true };
        }
        if (sameObject(plan.updated, obj)) return { object: obj, deleted: false };
        const kv = await this.#store.update(key, this.#toStored(plan.updated), current.modRevision);
        plan.updated.metadata!.resourceVersion = String(kv.modRevision);
        return { object: plan.updated, deleted: false };
      } catch (err) {
        if (!isStoreError(err, "Conflict") || attempt >= maxConflictRetries) {
          throw toStatusError(err, this.groupResource, name);
        }
      }
    }
  }

  #track(old: KubeObject | undefined, obj: KubeObject, ctx: RequestContext, subresource: string) {
    if (!ctx.manager || ctx.applying) return;
    trackUpdate(this.definition, old, obj, {
      manager: ctx.manager,
      now: this.#clock.now(),
      subresource,
    });
  }

  #checkPreconditions(obj: KubeObject, options: DeleteOptions): void {
    const pre = options.preconditions;
    const meta = obj.metadata ?? {};
    const name = meta.name ?? "";
    if (pre?.uid && pre.uid !== meta.uid) {
      throw newConflict(
        this.groupResource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ""}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw newConflict(
        this.groupResource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ""}`,
      );
    }
  }

  /** Sets apiVersion/kind and the namespace from the request, refusing a mismatched namespace. */
  #normalize(input: KubeObject, namespace: string): KubeObject {
    const obj = input;
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (this.definition.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw newBadRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      meta.namespace = namespace || meta.namespace || "";
    } else {
      delete meta.namespace;
    }
    obj.apiVersion = apiVersionOf(this.definition.group, this.definition.version);
    obj.kind = this.definition.kind;
    return obj;
  }

  #checkName(obj: KubeObject, name: string): void {
    const given = obj.metadata?.name;
    if (given !== name) {
      throw newBadRequest(
        `the name of the object (${given ?? ""}) does not match the name on the URL (${name})`,
      );
    }
  }

  #attrs(
    operation: AdmissionAttributes["operation"],
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    ctx: RequestContext,
    subresource: string,
  ): AdmissionAttributes {
    const meta = (object ?? oldObject)?.metadata ?? {};
    return {
      operation,
      resource: this.definition,
      subresource,
      namespace: meta.namespace ?? "",
      name: meta.name ?? "",
      object,
      oldObject,
      user: ctx.user,
      dryRun: ctx.dryRun,
      warnings: ctx.warnings,
    };
  }
}
