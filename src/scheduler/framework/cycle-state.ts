/**
 * Per-cycle scratch space plugins share between extension points (upstream `CycleState`): a
 * plugin computes something once in PreFilter or PreScore and reads it per node. Preemption dry
 * runs clone it, so state that PreFilter extensions change must implement `clone()`.
 */
export interface StateData {
  clone(): StateData;
}

export class CycleState {
  readonly #data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter does not run this cycle. */
  skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score does not run this cycle. */
  skipScorePlugins = new Set<string>();
  /**
   * The Filter plugins that run, worked out at the first node once PreFilter is done (the
   * framework's; a clone works them out again).
   */
  activeFilters: readonly unknown[] | undefined;

  read<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.#data.set(key, value);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) {
      const cloneable = v as Partial<StateData> | undefined;
      c.#data.set(k, typeof cloneable?.clone === "function" ? cloneable.clone() : v);
    }
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    return c;
  }
}
