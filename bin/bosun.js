#!/usr/bin/env node
// The entry is plain JavaScript, the one file that is: Node strips a TypeScript file's types with a
// WebAssembly module (≈10 MiB that stays resident), and the entry is loaded before it can turn on
// the compile cache that lets every other file skip the stripper (ADR 24).
import { enableCompileCache } from "node:module";
import { agentHeapFlags } from "./agent-flags.js";

// V8's compiled code for Bosun's modules, kept between runs: loading `bosun server` takes
// 0.3 s instead of 0.75 s, and every node, thread and child of a local cluster loads them.
// Children, worker threads and the agent's re-executed self find the cache through the
// environment.
process.env.NODE_COMPILE_CACHE ??= new URL(
  "../node_modules/.cache/bosun-compile",
  import.meta.url,
).pathname;

// Heap limits are fixed when the process starts, so the agent replaces itself at once (execve:
// same pid, nothing loaded yet) with its memory flags added (`agent-flags.js`, ADR 25).
if (
  process.argv[2] === "agent" &&
  !agentHeapFlags.every((f) => process.execArgv.includes(f)) &&
  process.execve
) {
  const args = [
    ...agentHeapFlags.filter((f) => !process.execArgv.includes(f)),
    ...process.execArgv,
    ...process.argv.slice(1),
  ];
  process.execve(process.execPath, [process.execPath, ...args], process.env);
}

enableCompileCache(process.env.NODE_COMPILE_CACHE);
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
