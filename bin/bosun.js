#!/usr/bin/env node
// The entry is plain JavaScript, the one file that is: Node strips a TypeScript file's types with a
// WebAssembly module (≈10 MiB that stays resident), and the entry is loaded before it can turn on
// the compile cache that lets every other file skip the stripper (ADR 24).
import { enableCompileCache } from "node:module";

// V8's compiled code for Bosun's modules, kept between runs: loading `bosun server` takes
// 0.3 s instead of 0.75 s, and every node, thread and child of a local cluster loads them.
// Children, worker threads and the agent's re-executed self find the cache through the
// environment.
process.env.NODE_COMPILE_CACHE ??= new URL(
  "../node_modules/.cache/bosun-compile",
  import.meta.url,
).pathname;

// A node agent keeps little and allocates little, and V8's defaults are tuned for throughput: the
// young generation's semi-spaces grow to 16 MiB each and old-generation pages are kept for the
// next burst. The agent runs with 2 MiB semi-spaces and V8's memory-over-speed setting, and
// without Maglev, V8's mid-tier compiler (its code and what it compiles: ~5 MiB; hot code still
// reaches TurboFan), with one V8 background thread instead of four (each kept ~2 MiB of its
// own allocations; compiling and collecting on a node's few cores lost nothing), and dropping
// the bytecode and baseline code of functions that did not run for two collections (what start-up
// and the compile cache brought in and a running node does not use; ~4 MiB) (ADR 25).
// Heap limits are fixed when the process starts, so the agent replaces itself at once (execve:
// same pid, nothing loaded yet) with the flags added.
const agentHeapFlags = [
  "--max-semi-space-size=2",
  "--optimize-for-size",
  "--no-maglev",
  "--v8-pool-size=1",
  "--bytecode-old-age=2",
  "--flush-baseline-code",
];
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
