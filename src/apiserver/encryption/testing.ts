/** Helpers for this folder's tests: keys and configurations built in code. */
import { parseEncryptionConfiguration } from "./config.ts";
import { ResourceTransformers } from "./resource-transformers.ts";

/** A deterministic base64 key of `size` bytes, all `fill`. */
export const testKey = (fill: number, size = 32): string =>
  Buffer.alloc(size, fill).toString("base64");

export interface ProviderSpec {
  readonly provider: "aesgcm" | "aescbc" | "secretbox" | "identity";
  readonly keys?: readonly { name: string; secret: string }[];
}

/** The YAML of one entry encrypting `resources` with `providers` in order. */
export function configYaml(
  resources: readonly string[],
  providers: readonly ProviderSpec[],
): string {
  const lines = [
    "apiVersion: apiserver.config.k8s.io/v1",
    "kind: EncryptionConfiguration",
    "resources:",
    "  - resources:",
    ...resources.map((r) => `      - ${JSON.stringify(r)}`),
    "    providers:",
  ];
  for (const p of providers) {
    if (p.provider === "identity") {
      lines.push("      - identity: {}");
      continue;
    }
    lines.push(`      - ${p.provider}:`, "          keys:");
    for (const k of p.keys ?? []) {
      lines.push(`            - name: ${k.name}`, `              secret: ${k.secret}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function transformersFor(
  resources: readonly string[],
  providers: readonly ProviderSpec[],
): ResourceTransformers {
  return new ResourceTransformers(parseEncryptionConfiguration(configYaml(resources, providers)));
}
