/**
 * The `bosun` program: one binary that plays every role. This folder is the composition root,
 * the only place that constructs concrete implementations and wires them together.
 */

import { agentCommand, simulateCommand } from "./agent.ts";
import { type Command, UsageError } from "./command.ts";
import { secretsEncryptCommand } from "./secrets-encrypt.ts";
import { serverCommand } from "./server.ts";
import { tokenCommand } from "./token.ts";
import { versionCommand } from "./version.ts";

const commands: Command[] = [
  serverCommand,
  agentCommand,
  simulateCommand,
  tokenCommand,
  secretsEncryptCommand,
  versionCommand,
];

function help(): string {
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
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") return versionCommand.run([]);
  const command = commands.find((c) => c.name === name);
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
    process.stderr.write(`bosun ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
