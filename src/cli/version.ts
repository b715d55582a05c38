import { readFileSync } from "node:fs";
import { type Command, UsageError } from "./command.ts";

export const bosunVersion: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** The Kubernetes version Bosun's API follows. */
export const kubernetesVersion = "v1.34";

export const versionCommand: Command = {
  name: "version",
  summary: "Print the Bosun and Kubernetes API versions",
  usage: "Usage: bosun version",
  async run(args) {
    if (args.length > 0) throw new UsageError(`unknown argument "${args[0]}"`);
    process.stdout.write(
      `bosun ${bosunVersion} (Kubernetes ${kubernetesVersion}, Node.js ${process.version})\n`,
    );
    return 0;
  },
};
