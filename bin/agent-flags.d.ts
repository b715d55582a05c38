/** The Node flags the agent runs with (see agent-flags.js). */
export declare const agentHeapFlags: readonly string[];
