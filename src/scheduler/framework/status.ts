/**
 * The result every plugin returns (upstream `framework.Status`): a code and the reasons shown to
 * users. "Does not fit" is a value, never an exception; `Error` carries a real failure.
 */
export type Code = "Success" | "Unschedulable" | "UnschedulableAndUnresolvable" | "Error" | "Skip";

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that returned it, filled in by the framework for failures. */
  readonly plugin?: string;
  readonly err?: Error;
}

export const success: Status = Object.freeze({ code: "Success", reasons: [] });
export const skip: Status = Object.freeze({ code: "Skip", reasons: [] });

export const unschedulable = (...reasons: string[]): Status => ({
  code: "Unschedulable",
  reasons,
});

export const unresolvable = (...reasons: string[]): Status => ({
  code: "UnschedulableAndUnresolvable",
  reasons,
});

export function errorStatus(err: unknown): Status {
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: "Error", reasons: [e.message], err: e };
}

export const isSuccess = (s: Status): boolean => s.code === "Success";

/** Unschedulable or UnschedulableAndUnresolvable: the pod was turned down, nothing broke. */
export const isRejected = (s: Status): boolean =>
  s.code === "Unschedulable" || s.code === "UnschedulableAndUnresolvable";

/** `Status.Message()`: the reasons joined by ", ". */
export const statusMessage = (s: Status): string => s.reasons.join(", ");

export const withPlugin = (s: Status, plugin: string): Status =>
  s.plugin === plugin ? s : { ...s, plugin };
