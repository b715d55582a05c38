/**
 * The data dir every role keeps its state in (`--data-dir`, default /var/lib/bosun): created if
 * missing (mode 0700), and refused in one line when it cannot be used (a file, unwritable, under
 * /proc), before anything else is written.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** mkdir -p without `recursive`, which loops forever on paths under /proc in Node 24. */
function makeDirs(dir: string): void {
  const parent = dirname(dir);
  if (parent !== dir && !existsSync(parent)) makeDirs(parent);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

export function prepareDataDir(dir: string): void {
  try {
    makeDirs(dir);
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    accessSync(dir, constants.W_OK | constants.R_OK | constants.X_OK);
  } catch (err) {
    throw new Error(
      `data dir ${dir} is not usable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
