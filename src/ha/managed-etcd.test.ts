import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { silentLogger } from "../machinery/log.ts";
import { etcdLayout, writeMemberRecord } from "./etcd-member.ts";
import { startManagedEtcd } from "./managed-etcd.ts";

const hasEtcd = (() => {
  try {
    execFileSync("etcd", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const address = { advertiseAddress: "127.0.0.1", clientPort: 1, peerPort: 2 };

describe("managed etcd start-up checks", { skip: !hasEtcd && "etcd is not installed" }, () => {
  it("refuses etcd data without member.json, and a join that never finished without --server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-managed-"));
    try {
      const layout = etcdLayout(dir);
      mkdirSync(join(layout.dataDir, "member"), { recursive: true });
      await assert.rejects(
        startManagedEtcd({ dataDir: dir, address, log: silentLogger }),
        /holds etcd data but .*member\.json is missing/,
      );
      rmSync(layout.dataDir, { recursive: true });
      writeMemberRecord(layout, {
        name: "m2",
        peerURL: "https://127.0.0.1:2",
        clientURL: "https://127.0.0.1:1",
        clusterClientURLs: [],
        joining: true,
      });
      await assert.rejects(
        startManagedEtcd({ dataDir: dir, address, log: silentLogger }),
        /join did not finish .* run it again with --server and --token/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
