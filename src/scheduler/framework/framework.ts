/**
 * A profile's plugins, instantiated from the registry and sorted by extension point, and the
 * functions that run each point in order (upstream `frameworkruntime.frameworkImpl`). It is
 * also the Handle plugins receive.
 */
import type { Pod } from "../../api/generated/types.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import { CycleState } from "./cycle-state.ts";
import type {
  BindPlugin,
  ClusterApi,
  FilterPlugin,
  Handle,
  Listers,
  Nominator,
  Plugin,
  PostFilterPlugin,
  PostFilterResult,
  PreBindPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ReservePlugin,
  ScorePlugin,
  Snapshot,
} from "./interface.ts";
import type { NodeInfo } from "./node-info.ts";
import type { NodeToStatus } from "./node-to-status.ts";
import { newPodInfo, type PodInfo } from "./pod-info.ts";
import type { Profile, Registry } from "./registry.ts";
import { runScorePlugins, type WeightedScorePlugin } from "./run-score-plugins.ts";
import {
  errorStatus,
  isRejected,
  type Status,
  success,
  unresolvable,
  unschedulable,
  withPlugin,
} from "./status.ts";

export interface FrameworkOptions {
  readonly profile: Profile;
  readonly registry: Registry;
  readonly snapshot: Snapshot;
  readonly listers: Listers;
  readonly api: ClusterApi;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nominator: Nominator;
  readonly priorityOf: (pod: Pod) => number;
}

const has = <K extends string>(p: Plugin, method: K): boolean =>
  typeof (p as unknown as Record<string, unknown>)[method] === "function";

export class Framework implements Handle {
  readonly schedulerName: string;
  readonly snapshot: Snapshot;
  readonly listers: Listers;
  readonly api: ClusterApi;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nominator: Nominator;
  readonly percentageOfNodesToScore: number;
  readonly plugins: readonly Plugin[];
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: WeightedScorePlugin[] = [];
  readonly reservePlugins: ReservePlugin[] = [];
  readonly preBindPlugins: PreBindPlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  readonly #priorityOf: (pod: Pod) => number;
  readonly #podInfos = new WeakMap<Pod, PodInfo>();

  constructor(o: FrameworkOptions) {
    this.schedulerName = o.profile.schedulerName;
    this.snapshot = o.snapshot;
    this.listers = o.listers;
    this.api = o.api;
    this.events = o.events;
    this.clock = o.clock;
    this.log = o.log;
    this.nominator = o.nominator;
    this.percentageOfNodesToScore = o.profile.percentageOfNodesToScore ?? 0;
    this.#priorityOf = o.priorityOf;
    const plugins: Plugin[] = [];
    for (const cfg of o.profile.plugins) {
      const factory = o.registry[cfg.name];
      if (!factory) throw new Error(`plugin ${JSON.stringify(cfg.name)} is not in the registry`);
      const p = factory(this, cfg.args);
      plugins.push(p);
      if (has(p, "preFilter")) this.preFilterPlugins.push(p as PreFilterPlugin);
      if (has(p, "filter")) this.filterPlugins.push(p as FilterPlugin);
      if (has(p, "postFilter")) this.postFilterPlugins.push(p as PostFilterPlugin);
      if (has(p, "preScore")) this.preScorePlugins.push(p as PreScorePlugin);
      if (has(p, "score"))
        this.scorePlugins.push({ plugin: p as ScorePlugin, weight: cfg.weight ?? 1 });
      if (has(p, "reserve")) this.reservePlugins.push(p as ReservePlugin);
      if (has(p, "preBind")) this.preBindPlugins.push(p as PreBindPlugin);
      if (has(p, "bind")) this.bindPlugins.push(p as BindPlugin);
    }
    this.plugins = plugins;
  }

  /** The PodInfo of a pod object, computed once per object. */
  podInfo(pod: Pod): PodInfo {
    let info = this.#podInfos.get(pod);
    if (!info) {
      info = newPodInfo(pod, this.#priorityOf(pod));
      this.#podInfos.set(pod, info);
    }
    return info;
  }

  newCycleState(): CycleState {
    return new CycleState();
  }

  runPreFilterPlugins(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
  ): { status: Status; nodeNames?: ReadonlySet<string>; narrowedBy?: readonly string[] } {
    let nodeNames: Set<string> | undefined;
    const narrowing: string[] = [];
    for (const p of this.preFilterPlugins) {
      let r: ReturnType<PreFilterPlugin["preFilter"]>;
      try {
        r = p.preFilter(state, pod, nodes);
      } catch (err) {
        return { status: withPlugin(errorStatus(err), p.name) };
      }
      if (r.status.code === "Skip") {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (r.status.code !== "Success") return { status: withPlugin(r.status, p.name) };
      if (!r.nodeNames) continue;
      narrowing.push(p.name);
      nodeNames = nodeNames
        ? new Set([...nodeNames].filter((n) => r.nodeNames?.has(n)))
        : new Set(r.nodeNames);
      if (nodeNames.size === 0) {
        const msg =
          narrowing.length === 1
            ? `node(s) didn't satisfy plugin ${narrowing[0]}`
            : `node(s) didn't satisfy plugin(s) [${narrowing.join(" ")}] simultaneously`;
        return { status: withPlugin(unresolvable(msg), p.name) };
      }
    }
    return nodeNames ? { status: success, nodeNames, narrowedBy: narrowing } : { status: success };
  }

  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    // Runs for every pod × node: the plugins that did not Skip are picked once per cycle.
    state.activeFilters ??= this.filterPlugins.filter((p) => !state.skipFilterPlugins.has(p.name));
    for (const p of state.activeFilters as readonly FilterPlugin[]) {
      let s: Status;
      try {
        s = p.filter(state, pod, node);
      } catch (err) {
        s = errorStatus(err);
      }
      if (s.code !== "Success") return withPlugin(s, p.name);
    }
    return success;
  }

  /**
   * Filters with the pods nominated to this node (of equal or higher priority) counted as if
   * they were running, then without them (upstream runs both passes, since affinity to a
   * nominated pod must not be relied on).
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const onNode = this.nominator.nominatedPodsForNode(node.name);
    if (onNode.length === 0) return this.runFilterPlugins(state, pod, node);
    const nominated = onNode.filter((p) => p.uid !== pod.uid && p.priority >= pod.priority);
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, node);
    const nodeCopy = node.clone();
    const stateCopy = state.clone();
    for (const p of nominated) {
      nodeCopy.addPod(p);
      const s = this.runPreFilterExtensionAddPod(stateCopy, pod, p, nodeCopy);
      if (s.code !== "Success") return s;
    }
    const first = this.runFilterPlugins(stateCopy, pod, nodeCopy);
    if (first.code !== "Success") return first;
    return this.runFilterPlugins(state, pod, node);
  }

  runPreFilterExtensionAddPod(
    state: CycleState,
    pod: PodInfo,
    toAdd: PodInfo,
    node: NodeInfo,
  ): Status {
    for (const p of this.preFilterPlugins) {
      if (!p.preFilterExtensions || state.skipFilterPlugins.has(p.name)) continue;
      const s = p.preFilterExtensions.addPod(state, pod, toAdd, node);
      if (s.code !== "Success") return withPlugin(s, p.name);
    }
    return success;
  }

  runPreFilterExtensionRemovePod(
    state: CycleState,
    pod: PodInfo,
    toRemove: PodInfo,
    node: NodeInfo,
  ): Status {
    for (const p of this.preFilterPlugins) {
      if (!p.preFilterExtensions || state.skipFilterPlugins.has(p.name)) continue;
      const s = p.preFilterExtensions.removePod(state, pod, toRemove, node);
      if (s.code !== "Success") return withPlugin(s, p.name);
    }
    return success;
  }

  runPostFilterPlugins(state: CycleState, pod: PodInfo, statuses: NodeToStatus): PostFilterResult {
    const reasons: string[] = [];
    let result: PostFilterResult | undefined;
    let rejector = "";
    for (const p of this.postFilterPlugins) {
      let r: PostFilterResult;
      try {
        r = p.postFilter(state, pod, statuses);
      } catch (err) {
        return { status: withPlugin(errorStatus(err), p.name) };
      }
      if (r.status.code === "Success") return r;
      if (r.status.code === "UnschedulableAndUnresolvable")
        return { ...r, status: withPlugin(r.status, p.name) };
      if (!isRejected(r.status)) return { status: withPlugin(r.status, p.name) };
      if (r.nominatedNodeName !== undefined) result = r;
      reasons.push(...r.status.reasons);
      rejector ||= p.name;
    }
    const status = withPlugin(unschedulable(...reasons), rejector);
    return result?.nominatedNodeName !== undefined
      ? { status, nominatedNodeName: result.nominatedNodeName }
      : { status };
  }

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const p of this.preScorePlugins) {
      let s: Status;
      try {
        s = p.preScore(state, pod, nodes);
      } catch (err) {
        s = errorStatus(err);
      }
      if (s.code === "Skip") state.skipScorePlugins.add(p.name);
      else if (s.code !== "Success") return withPlugin(s, p.name);
    }
    return success;
  }

  /** Weighted, normalized score totals, index-aligned with `nodes`; or an error Status. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] | Status {
    return runScorePlugins(this.scorePlugins, state, pod, nodes);
  }

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.reservePlugins) {
      const s = p.reserve(state, pod, nodeName);
      if (s.code !== "Success") return withPlugin(s, p.name);
    }
    return success;
  }

  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of [...this.reservePlugins].reverse()) p.unreserve(state, pod, nodeName);
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.preBindPlugins) {
      const s = await p.preBind(state, pod, nodeName).catch(errorStatus);
      if (s.code !== "Success" && s.code !== "Skip") return withPlugin(s, p.name);
    }
    return success;
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.bindPlugins) {
      const s = await p.bind(state, pod, nodeName).catch(errorStatus);
      if (s.code !== "Skip") return s.code === "Success" ? s : withPlugin(s, p.name);
    }
    return errorStatus(new Error("no bind plugin bound the pod"));
  }
}
