/**
 * The built-in protobuf types, loaded once from the generated artifact
 * (src/api/generated/protobuf/k8s-protobuf.json, written by scripts/gen-protobuf.ts), and what the
 * JSON converter needs to know about each message beyond its wire layout.
 */
import protobuf from "protobufjs";
import artifact from "../../api/generated/protobuf/k8s-protobuf.json" with { type: "json" };
import { goPointerFields } from "./pointer-fields.ts";

/** The generated artifact, as scripts/gen-protobuf.ts writes it. */
export interface ProtobufArtifact {
  readonly source: string;
  /** apiVersion → kind → fully qualified message name (no leading dot). */
  readonly kinds: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly messages: Readonly<Record<string, MessageShapeJson>>;
  readonly descriptor: protobuf.INamespace;
}

export interface MessageShapeJson {
  /** Embedded structs (`json:",inline"`): their fields go into the parent object. */
  readonly inline?: readonly string[];
  /** Proto field name → JSON name, where the two differ (`aPIGroup` → `apiGroup`). */
  readonly rename?: Readonly<Record<string, string>>;
  /** Scalar fields the OpenAPI document marks required: Go writes them to JSON even when zero. */
  readonly required?: readonly string[];
  /** A named slice type (`Verbs`, `ExtraValue`): a JSON array of its `items`. */
  readonly list?: true;
}

/** How one message becomes a JSON object. */
export interface MessageShape {
  readonly inline: ReadonlySet<string>;
  readonly rename: ReadonlyMap<string, string>;
  /** Scalar fields whose zero value is kept: Go pointers and required fields. */
  readonly keepZero: ReadonlySet<string>;
  readonly list: boolean;
}

export interface ProtobufSchema {
  readonly root: protobuf.Root;
  /** The message type for (apiVersion, kind), or undefined if the kind has no built-in message. */
  lookupKind(apiVersion: string, kind: string): protobuf.Type | undefined;
  /** The JSON shape of a message, by fully qualified name (no leading dot). */
  shapeOf(fullName: string): MessageShape;
}

const data = artifact as unknown as ProtobufArtifact;
let loaded: ProtobufSchema | undefined;

/** The schema of the built-in types; built on first use (a few milliseconds), then shared. */
export function kubernetesProtobufSchema(): ProtobufSchema {
  loaded ??= buildSchema(data);
  return loaded;
}

/** The raw artifact, for tests and tools. */
export function protobufArtifact(): ProtobufArtifact {
  return data;
}

function buildSchema(source: ProtobufArtifact): ProtobufSchema {
  const root = protobuf.Root.fromJSON(source.descriptor);
  root.resolveAll();
  const types = new Map<string, protobuf.Type | undefined>();
  const shapes = new Map<string, MessageShape>();
  return {
    root,
    lookupKind(apiVersion, kind) {
      const fullName = source.kinds[apiVersion]?.[kind];
      if (fullName === undefined) return undefined;
      let type = types.get(fullName);
      if (type === undefined) {
        type = root.lookupType(fullName);
        types.set(fullName, type);
      }
      return type;
    },
    shapeOf(fullName) {
      let shape = shapes.get(fullName);
      if (shape === undefined) {
        shape = toShape(fullName, source.messages[fullName] ?? {});
        shapes.set(fullName, shape);
      }
      return shape;
    },
  };
}

function toShape(fullName: string, json: MessageShapeJson): MessageShape {
  const dot = fullName.lastIndexOf(".");
  const pointers = goPointerFields[fullName.slice(0, dot)]?.[fullName.slice(dot + 1)] ?? [];
  return {
    inline: new Set(json.inline ?? []),
    rename: new Map(Object.entries(json.rename ?? {})),
    keepZero: new Set([...pointers, ...(json.required ?? [])]),
    list: json.list === true,
  };
}
