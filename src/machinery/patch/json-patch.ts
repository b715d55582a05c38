/**
 * JSON patch (RFC 6902; `application/json-patch+json`): an array of add, remove, replace, move,
 * copy and test operations applied in order, all or nothing. Used by `kubectl patch --type json`
 * and `kubectl rollout undo`.
 *
 * Errors follow evanphx/json-patch's wording ("replace operation does not apply: doc is missing
 * path: /spec/x"). A body that is not an array of objects is a "BadRequest" (400); an operation
 * that is malformed or does not apply is "Invalid" (422), as upstream's patch handler answers.
 * Unlike evanphx/json-patch v4, `replace` of a missing member fails (as the RFC says) and negative
 * array indices are not accepted.
 */
import { arrayIndex, parseJsonPointer } from "./json-pointer.ts";
import {
  deepCopy,
  deepEqual,
  deleteOwn,
  getOwn,
  hasOwn,
  isJsonObject,
  type JsonObject,
  setOwn,
} from "./json-value.ts";
import { badRequest, invalid, type PatchError } from "./patch-error.ts";

export type JsonPatchOperation =
  | { readonly op: "add" | "replace" | "test"; readonly path: string; readonly value: unknown }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "move" | "copy"; readonly from: string; readonly path: string };

type OpName = JsonPatchOperation["op"];
const opNames: readonly OpName[] = ["add", "remove", "replace", "move", "copy", "test"];

/** Checks the shape of a JSON patch body and returns its operations. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw badRequest("json patch must be a JSON array of operations");
  }
  return patch.map((raw: unknown, index) => {
    if (!isJsonObject(raw)) {
      throw badRequest(
        `json patch operation ${index} is not a JSON object: ${JSON.stringify(raw)}`,
      );
    }
    return decodeOperation(raw, index);
  });
}

function decodeOperation(raw: JsonObject, index: number): JsonPatchOperation {
  const op = getOwn(raw, "op");
  if (typeof op !== "string" || !(opNames as readonly string[]).includes(op)) {
    throw invalid(`Unexpected kind: ${typeof op === "string" ? op : "unknown"}`, {
      operation: index,
    });
  }
  const kind = op as OpName;
  const field = (name: "path" | "from"): string => {
    const value = getOwn(raw, name);
    if (typeof value !== "string") {
      throw invalid(`${kind} operation failed to decode ${name}: missing "${name}" string`, {
        operation: index,
      });
    }
    return value;
  };
  switch (kind) {
    case "remove":
      return { op: kind, path: field("path") };
    case "move":
    case "copy":
      return { op: kind, from: field("from"), path: field("path") };
    default:
      if (!hasOwn(raw, "value")) {
        throw invalid(`${kind} operation is missing "value"`, { operation: index });
      }
      return { op: kind, path: field("path"), value: getOwn(raw, "value") };
  }
}

/**
 * Applies a JSON patch body to `document` and returns the new document. Neither input is changed
 * and the result shares no objects with them.
 */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const operations = decodeJsonPatch(patch);
  let doc = deepCopy(document);
  operations.forEach((operation, index) => {
    doc = applyOperation(doc, operation, { op: operation.op, index });
  });
  return doc;
}

interface Context {
  readonly op: OpName;
  readonly index: number;
}

const fail = (ctx: Context, reason: string): PatchError =>
  invalid(`${ctx.op} operation does not apply: ${reason}`, { operation: ctx.index });

function tokensOf(ctx: Context, pointer: string): string[] {
  const tokens = parseJsonPointer(pointer);
  if (tokens instanceof Error)
    throw invalid(`${ctx.op} operation: ${tokens.message}`, { operation: ctx.index });
  return tokens;
}

function applyOperation(doc: unknown, operation: JsonPatchOperation, ctx: Context): unknown {
  const path = tokensOf(ctx, operation.path);
  switch (operation.op) {
    case "add":
      return add(doc, path, deepCopy(operation.value), ctx, `path: ${operation.path}`);
    case "remove":
      return remove(doc, path, ctx, operation.path);
    case "replace":
      return replace(doc, path, deepCopy(operation.value), ctx, operation.path);
    case "test":
      test(doc, path, operation.value, ctx, operation.path);
      return doc;
    case "move":
    case "copy":
      return moveOrCopy(doc, tokensOf(ctx, operation.from), path, operation, ctx);
  }
}

const missing = Symbol("missing");

/** The value at `tokens`, or `missing`. */
function resolve(doc: unknown, tokens: readonly string[]): unknown {
  let current: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      const index = arrayIndex(token, current.length, false);
      if (index === undefined) return missing;
      current = current[index];
    } else if (isJsonObject(current) && hasOwn(current, token)) {
      current = current[token];
    } else {
      return missing;
    }
  }
  return current;
}

/** The object or array holding the last token of `tokens`, or undefined. */
function parentOf(doc: unknown, tokens: readonly string[]): JsonObject | unknown[] | undefined {
  const parent = resolve(doc, tokens.slice(0, -1));
  return Array.isArray(parent) || isJsonObject(parent) ? parent : undefined;
}

function add(doc: unknown, tokens: string[], value: unknown, ctx: Context, where: string): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  if (parent === undefined) throw fail(ctx, `doc is missing ${where}`);
  const key = tokens.at(-1)!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(key, parent.length, true);
    if (index === undefined)
      throw fail(ctx, `invalid array index ${JSON.stringify(key)} in ${where}`);
    parent.splice(index, 0, value);
  } else {
    setOwn(parent, key, value);
  }
  return doc;
}

function remove(doc: unknown, tokens: string[], ctx: Context, pointer: string): unknown {
  if (tokens.length === 0) throw fail(ctx, "cannot remove the whole document");
  const parent = parentOf(doc, tokens);
  const key = tokens.at(-1)!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(key, parent.length, false);
    if (index === undefined) throw fail(ctx, `doc is missing path: ${pointer}`);
    parent.splice(index, 1);
  } else if (parent !== undefined && hasOwn(parent, key)) {
    deleteOwn(parent, key);
  } else {
    throw fail(ctx, `doc is missing path: ${pointer}`);
  }
  return doc;
}

function replace(
  doc: unknown,
  tokens: string[],
  value: unknown,
  ctx: Context,
  pointer: string,
): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const key = tokens.at(-1)!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(key, parent.length, false);
    if (index === undefined) throw fail(ctx, `doc is missing path: ${pointer}`);
    parent[index] = value;
  } else if (parent !== undefined && hasOwn(parent, key)) {
    setOwn(parent, key, value);
  } else {
    throw fail(ctx, `doc is missing path: ${pointer}`);
  }
  return doc;
}

function test(
  doc: unknown,
  tokens: string[],
  expected: unknown,
  ctx: Context,
  pointer: string,
): void {
  const actual = resolve(doc, tokens);
  if (actual === missing) throw fail(ctx, `doc is missing path: ${pointer}`);
  if (!deepEqual(actual, expected)) {
    throw invalid(`testing value ${pointer} failed`, { operation: ctx.index });
  }
}

function moveOrCopy(
  doc: unknown,
  from: string[],
  path: string[],
  operation: { readonly op: "move" | "copy"; readonly from: string; readonly path: string },
  ctx: Context,
): unknown {
  const value = resolve(doc, from);
  if (value === missing) throw fail(ctx, `doc is missing from path: ${operation.from}`);
  const destination = `destination path: ${operation.path}`;
  if (operation.op === "copy") return add(doc, path, deepCopy(value), ctx, destination);
  if (operation.from === operation.path) return doc;
  if (operation.path.startsWith(`${operation.from}/`)) {
    throw fail(ctx, `cannot move ${operation.from} into its own child ${operation.path}`);
  }
  const removed = remove(doc, from, ctx, operation.from);
  return add(removed, path, value, ctx, destination);
}
