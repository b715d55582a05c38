/**
 * A child process for the SQLite crash test: writes keys `/crash/<n>` from many concurrent
 * writers and prints each key's number on stdout once the store has acknowledged it, until killed.
 * Usage: node sqlite-writer.ts <db path> <writers>
 */
import { SqliteStore } from "../sqlite/sqlite-store.ts";

const [path, writersArg] = process.argv.slice(2);
const store = new SqliteStore({ path: path! });
const writers = Number(writersArg ?? 64);
let next = 0;

async function writer(): Promise<void> {
  for (;;) {
    const n = next++;
    await store.create(`/crash/${n}`, new TextEncoder().encode(`value-${n}`));
    process.stdout.write(`${n}\n`);
  }
}

for (let i = 0; i < writers; i++) void writer();
