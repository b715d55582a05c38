/** What `/version` reports: the Kubernetes version Bosun's API follows, and Bosun's own. */
import { readFileSync } from "node:fs";

const packageVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

export const kubernetesMinor = "34";

export function versionInfo() {
  return {
    major: "1",
    minor: kubernetesMinor,
    emulationMajor: "1",
    emulationMinor: kubernetesMinor,
    minCompatibilityMajor: "1",
    minCompatibilityMinor: "33",
    gitVersion: `v1.${kubernetesMinor}.0+bosun-${packageVersion}`,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-11-25T00:00:00Z",
    goVersion: `node${process.version}`,
    compiler: "bosun",
    platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
  };
}
