/**
 * Upstream's `validateAndParseSelector`: the target's scale must carry a valid pod selector, and
 * the pods it selects must not be selected by another HPA of the namespace too (`hpaSelectors`,
 * the selectors each HPA had at its last sync).
 */
import type { Pod } from "../../api/generated/types.ts";
import { parseSelector, type Selector } from "../../machinery/labels.ts";

/** Why a selector is refused: the Warning event, the ScalingActive reason and message, the error. */
export interface SelectorFailure {
  readonly event: string;
  readonly reason: string;
  readonly message: string;
  readonly error: string;
}

export class HpaSelectors {
  readonly #selectors = new Map<string, Selector>();

  delete(key: string): void {
    this.#selectors.delete(key);
  }

  /** The HPA `key`'s pod selector from its target's `status.selector`, or why it cannot be used. */
  validate(o: {
    key: string;
    namespace: string;
    text: string;
    listPods: (selector: Selector) => readonly Pod[];
  }): Selector | SelectorFailure {
    if (o.text === "") {
      return {
        event: "SelectorRequired",
        reason: "InvalidSelector",
        message: "the HPA target's scale is missing a selector",
        error: "selector is required",
      };
    }
    let selector: Selector;
    try {
      selector = parseSelector(o.text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const error = `couldn't convert selector into a corresponding internal selector object: ${why}`;
      return { event: "InvalidSelector", reason: "InvalidSelector", message: error, error };
    }
    this.#selectors.set(o.key, selector);
    const pods = o.listPods(selector);
    const controlling = [...this.#selectors]
      .filter(
        ([k, s]) =>
          k.startsWith(`${o.namespace}/`) && pods.some((p) => s.matches(p.metadata?.labels)),
      )
      .map(([k]) => k)
      .sort();
    if (controlling.length > 1) {
      const error = `pods by selector ${o.text} are controlled by multiple HPAs: [${controlling.join(" ")}]`;
      return { event: "AmbiguousSelector", reason: "AmbiguousSelector", message: error, error };
    }
    return selector;
  }
}
