/**
 * The `bosun` program: one binary that plays every role. This folder is the composition root,
 * the only place that constructs concrete implementations and wires them together.
 */

import { type Command, UsageError } from "./command.ts";

/**
 * Commands by name, loaded on use: a node agent then never loads the API server's code (about
 * 15 MB of resident memory).
 */
const loaders: Record<string, () => Promise<Command>> = {
  server: async () => (await import("./server.ts")).serverCommand,
  agent: async () => (await import("./agent.ts")).agentCommand,
  simulate: async () => (await import("./agent.ts")).simulateCommand,
  token: async () => (await import("./token.ts")).tokenCommand,
  cluster: async () => (await import("./cluster.ts")).clusterCommand,
  "secrets-encrypt": async () => (await import("./secrets-encrypt.ts")).secretsEncryptCommand,
  version: async () => (await import("./version.ts")).versionCommand,
};

async function help(): Promise<string> {
  const commands = await Promise.all(Object.values(loaders).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "bosun: a Kubernetes-compatible cluster in one program",
    "",
    "Usage: bosun <command> [flags]",
    "",
    "Commands:",
    ...lines,
    "",
    'Run "bosun <command> --help" for a command\'s flags.',
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(await help());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") return (await loaders.version!()).run([]);
  const load = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  const command = await load?.();
  if (!command) {
    process.stderr.write(`bosun: unknown command "${name}" (see "bosun --help")\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bosun ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`bosun ${name}: ${errorMessage(err)}\n`);
    return 1;
  }
}

/** One line; a refused connection in kubectl's words (the API server named, not a socket). */
export function errorMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code === "ECONNREFUSED" && e.address !== undefined) {
    const host = e.address.includes(":") ? `[${e.address}]` : e.address;
    return `The connection to the server ${host}:${e.port} was refused - did you specify the right host or port?`;
  }
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}
