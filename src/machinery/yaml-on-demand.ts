/**
 * YAML for code on the node agent's path, where it is needed once or never (a registries.yaml, a
 * join, writing a kubeconfig): the `yaml` library (~4 MiB resident once loaded) loads on the
 * first call instead of with the module. Its Node entry is CommonJS, so this is the same module
 * instance an `import from "yaml"` elsewhere gets.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let yaml: typeof Yaml | undefined;

function library(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return yaml;
}

/** `yaml.parse` (YAML 1.2, one document). */
export function parseYaml(text: string): unknown {
  return library().parse(text);
}

/** `yaml.stringify`. */
export function stringifyYaml(value: unknown): string {
  return library().stringify(value);
}
