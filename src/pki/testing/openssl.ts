/** Runs the openssl command line in tests, to check Bosun's DER against an independent parser. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface OpenSSLResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `openssl ...args` with `files` written to a temporary directory first; `{name}` in an
 * argument becomes the path of that file.
 */
export function openssl(args: string[], files: Record<string, string> = {}): OpenSSLResult {
  const dir = mkdtempSync(join(tmpdir(), "bosun-openssl-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const resolved = args.map((a) => a.replace(/\{([\w.-]+)\}/g, (_, n: string) => join(dir, n)));
    const run = spawnSync("openssl", resolved, { encoding: "utf8" });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
