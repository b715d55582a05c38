/**
 * Checks the spec reporter's output of a full `npm test`: every top-level suite that started
 * (`▶ name`) must also have ended (`✔ name (…ms)` or `✖ name (…ms)`). Node's test runner can lose
 * the end of a test process's results without counting a failure (as it did with `--test-force-exit`,
 * which ended processes before their last output reached the runner). `.ci/run` runs it on the
 * output of `npm test`. Usage: node scripts/check-test-output.ts <log>
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The top-level suites that started and never ended, in order. */
export function unfinishedSuites(output: string): string[] {
  const started: string[] = [];
  const ended = new Map<string, number>();
  for (const line of output.split("\n")) {
    const start = /^▶ (.+)$/.exec(line);
    if (start) started.push(start[1]!);
    const end = /^[✔✖] (.+) \([\d.]+ms\)$/.exec(line);
    if (end) ended.set(end[1]!, (ended.get(end[1]!) ?? 0) + 1);
  }
  return started.filter((name) => {
    const left = ended.get(name) ?? 0;
    if (left === 0) return true;
    ended.set(name, left - 1);
    return false;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = unfinishedSuites(readFileSync(process.argv[2]!, "utf8"));
  if (missing.length > 0) {
    process.stderr.write(
      `check-test-output: ${missing.length} suite(s) started and never reported an end (their results were lost): ${missing.map((m) => JSON.stringify(m)).join(", ")}\n`,
    );
    process.exit(1);
  }
}
