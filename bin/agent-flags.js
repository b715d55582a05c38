// The Node flags the agent runs with (plain JavaScript: `bosun.js` reads it before anything else
// is loaded).
//
// A node agent keeps little and allocates little, and V8's defaults are tuned for throughput: the
// young generation's semi-spaces grow to 16 MiB each and old-generation pages are kept for the
// next burst. The agent runs with 2 MiB semi-spaces and V8's memory-over-speed setting, and
// without Maglev, V8's mid-tier compiler (its code and what it compiles: ~5 MiB; hot code still
// reaches TurboFan), with one V8 background thread instead of four (each kept ~2 MiB of its
// own allocations; compiling and collecting on a node's few cores lost nothing), and dropping
// the bytecode and baseline code of functions that did not run for two collections (what start-up
// and the compile cache brought in and a running node does not use; ~4 MiB) (ADR 25).
export const agentHeapFlags = [
  "--max-semi-space-size=2",
  "--optimize-for-size",
  "--no-maglev",
  "--v8-pool-size=1",
  "--bytecode-old-age=2",
  "--flush-baseline-code",
];
