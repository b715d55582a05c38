/**
 * Generates src/kubelet/cri/generated/cri-v1.json, the protobufjs JSON descriptor of CRI v1
 * (package runtime.v1) that the kubelet's gRPC adapter loads, from the reference descriptor
 * (cri-api v0.34.9), with two fixes:
 *
 * - `KeyValue.value` (container env values) is retyped from `bytes` to `string`, as containerd
 *   1.6 (cri-api v0.25) declares it. Both are wire type 2 with identical bytes for UTF-8 text;
 *   as `bytes`, protobufjs would read a JavaScript string as base64.
 * - `DNSConfig.options = 3`, which the reference descriptor lost (it lost every field named
 *   `options`, as the Kubernetes one did).
 *
 * Inputs: ../shared/reference/data (or --data DIR). Usage: node scripts/gen-cri.ts [--data DIR] [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const DESCRIPTOR = "cri-v1-v0.34.9-protobuf-descriptor.json";
const OUT = new URL("../src/kubelet/cri/generated/cri-v1.json", import.meta.url);

interface Field {
  type: string;
  id: number;
  rule?: string;
}
interface Message {
  fields?: Record<string, Field>;
}
interface Descriptor {
  nested: { runtime: { nested: { v1: { nested: Record<string, Message> } } } };
}

const { values } = parseArgs({
  options: {
    data: {
      type: "string",
      default: new URL("../../shared/reference/data/", import.meta.url).pathname,
    },
    check: { type: "boolean", default: false },
  },
});
const input = JSON.parse(readFileSync(`${values.data}/${DESCRIPTOR}`, "utf8")) as Descriptor;
const v1 = input.nested.runtime.nested.v1.nested;
const keyValue = v1.KeyValue?.fields?.value;
if (!keyValue) throw new Error("KeyValue.value missing from the descriptor");
keyValue.type = "string";
const dns = v1.DNSConfig?.fields;
if (!dns) throw new Error("DNSConfig missing from the descriptor");
dns.options ??= { rule: "repeated", type: "string", id: 3 };
const text = `${JSON.stringify(input)}\n`;
if (values.check) {
  if (readFileSync(OUT, "utf8") !== text) {
    console.error("src/kubelet/cri/generated/cri-v1.json is stale: run node scripts/gen-cri.ts");
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT.pathname} (${text.length} bytes)`);
}
