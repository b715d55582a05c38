/**
 * What every bosun process loads and keeps: not Node's TypeScript stripper once the compile cache
 * holds the modules (the entry is plain JS so that it can turn the cache on first), and not
 * undici, Node's fetch, which importing `node:http` as an ES module would load (see
 * `machinery/node-http.ts`). Each costs 6–10 MiB resident per process. And no ICU locale data in
 * the agent (issue 8's memory target): `localeCompare` maps ~3 MiB of collation tables,
 * `Intl.DateTimeFormat` or `toLocaleString` ~8 MiB.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "bosun-startup-"));
const report = join(dir, "report.mjs");
writeFileSync(
  report,
  `process.on("exit", () => process.stderr.write("LOADED " + process.moduleLoadList.filter((m) => /amaro|undici/.test(m)).join(",") + "\\n"));`,
);

function loaded(args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const run = spawnSync(process.execPath, ["--import", report, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return /^LOADED (.*)$/m.exec(run.stderr)?.[1] ?? "(no report)";
}

describe("bosun's startup weight", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("loads the TypeScript stripper only while its compile cache is cold", () => {
    const env = { NODE_COMPILE_CACHE: join(dir, "cache") };
    assert.match(loaded(["bin/bosun.js", "version"], env), /amaro/);
    assert.equal(loaded(["bin/bosun.js", "version"], env), "");
  });

  it("never loads undici with the server's, agent's and cluster's modules", () => {
    const modules = ["server", "agent", "cluster"].map(
      (m) => `import(${JSON.stringify(join(root, "src/cli", `${m}.ts`))})`,
    );
    const out = loaded(["-e", `Promise.all([${modules.join(",")}])`]);
    assert.doesNotMatch(out, /undici/);
    assert.notEqual(out, "(no report)");
  });

  it("loads no code that uses ICU's locale data in the agent", () => {
    const hooks = join(dir, "files.mjs");
    writeFileSync(
      hooks,
      `import { registerHooks } from "node:module";
const files = [];
registerHooks({ load(url, context, next) { if (url.startsWith("file:")) files.push(url); return next(url, context); } });
process.on("exit", () => process.stderr.write("FILES " + JSON.stringify(files) + "\\n"));`,
    );
    const run = spawnSync(
      process.execPath,
      ["--import", hooks, "-e", `import(${JSON.stringify(join(root, "src/cli/agent.ts"))})`],
      { cwd: root, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    const files = JSON.parse(/^FILES (.*)$/m.exec(run.stderr)?.[1] ?? "[]") as string[];
    assert.ok(files.length > 100, `only ${files.length} files seen`);
    const offenders = files.flatMap((url) => {
      const text = readFileSync(fileURLToPath(url), "utf8");
      return /\.localeCompare\(|\bIntl\.|\.toLocale\w*String\(/.test(text) ? [url] : [];
    });
    assert.deepEqual(offenders, []);
  });
});
