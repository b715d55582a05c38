/**
 * Label selectors for matching informer objects sync after sync.
 *
 * A ReplicaSet that owns 10,000 pods matches every one of them against its selector twice per
 * sync (claiming them, then counting the fully labelled ones), and it syncs on every pod event
 * that reaches it. Informer objects never change once cached (an update replaces the object, and
 * controllers copy before they modify), so these selectors remember their answer per label set:
 * a sync matches only the pods that changed since the one before.
 */
import { type LabelSelector, Selector, selectorFromLabelSelector } from "../../machinery/labels.ts";

class RememberingSelector extends Selector {
  readonly #answers = new WeakMap<object, boolean>();

  override matches(labels: Readonly<Record<string, string>> = {}): boolean {
    let answer = this.#answers.get(labels);
    if (answer === undefined) {
      answer = super.matches(labels);
      this.#answers.set(labels, answer);
    }
    return answer;
  }
}

const selectors = new Map<string, Selector>();
const selectorsMax = 256;

/**
 * `selectorFromLabelSelector` for matching informer objects only: the same selector object for
 * the same selector text, remembering its answers. Throws as `selectorFromLabelSelector` does.
 */
export function informerSelector(ls: LabelSelector | null | undefined): Selector {
  const text = JSON.stringify(ls ?? null);
  let selector = selectors.get(text);
  if (selector) {
    selectors.delete(text);
  } else {
    const plain = selectorFromLabelSelector(ls);
    selector = plain.matchesNothing() ? plain : new RememberingSelector(plain.requirements);
    if (selectors.size >= selectorsMax) selectors.delete(selectors.keys().next().value!);
  }
  selectors.set(text, selector);
  return selector;
}

/** `selectorFromSet` for informer objects (a template's labels, say), remembering its answers. */
export function informerSetSelector(set: Readonly<Record<string, string>> | undefined): Selector {
  return informerSelector({ matchLabels: { ...set } });
}
