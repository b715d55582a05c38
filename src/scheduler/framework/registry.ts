/**
 * Plugins by name (upstream `frameworkruntime.Registry`) and the profile that picks and weighs
 * them. A profile lists plugins once, in order; each is used at every extension point it
 * implements (upstream's `multiPoint`), with `weight` applying to its score.
 */
import type { PluginFactory } from "./interface.ts";

export type Registry = Readonly<Record<string, PluginFactory>>;

export interface PluginConfig {
  readonly name: string;
  /** Score weight (default 1). */
  readonly weight?: number;
  readonly args?: unknown;
}

export interface Profile {
  readonly schedulerName: string;
  readonly plugins: readonly PluginConfig[];
  /** 0 (default): adaptive, as upstream — 50% minus 1% per 125 nodes, at least 5%, 100 nodes. */
  readonly percentageOfNodesToScore?: number;
}

/** A registry with `extra` added; names already present are an error, as upstream. */
export function mergeRegistries(base: Registry, extra: Registry): Registry {
  for (const name of Object.keys(extra)) {
    if (Object.hasOwn(base, name)) throw new Error(`a plugin named ${name} already exists`);
  }
  return { ...base, ...extra };
}
