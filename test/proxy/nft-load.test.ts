/**
 * The generated rules against the real `nft` in fresh network namespaces: every golden
 * scenario is accepted (`nft -c`) and loads; an incremental transaction from one scenario to the
 * next leaves the kernel with exactly what a fresh load of the second gives; a full resync
 * removes what is not wanted and keeps affinity sets. Needs root and nftables; skipped without.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { buildRuleset } from "../../src/proxy/build-ruleset.ts";
import { ExecNftRunner } from "../../src/proxy/nft-runner.ts";
import { rulesetText } from "../../src/proxy/ruleset.ts";
import { scenarios } from "../../src/proxy/testing/fixtures.ts";
import { canRunLab } from "../../src/proxy/testing/netns-lab.ts";
import { parseTableListing, reassertText, transactionText } from "../../src/proxy/transaction.ts";

const run = promisify(execFile);
const skip = await canRunLab();
const prefix = `bpl${process.pid % 100000}`;
const nsA = `${prefix}-a`;
const nsB = `${prefix}-b`;

/** `nft list table` with blocks and set/map elements sorted, so two loads compare equal. */
function normalize(listing: string): string {
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of listing.split("\n")) {
    if (line === "\t}") {
      current.push(line);
      blocks.push(sortElements(current.join("\n")));
      current = [];
    } else if (/^\t\S/.test(line)) current = [line];
    else if (current.length) current.push(line);
  }
  return blocks.sort().join("\n");
}

function sortElements(block: string): string {
  return block.replace(/elements = \{([^}]*)\}/s, (_, inner: string) => {
    const items = inner
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .sort();
    return `elements = { ${items.join(", ")} }`;
  });
}

describe("nft accepts the generated rules", { skip }, () => {
  const a = new ExecNftRunner({ netns: nsA });
  const b = new ExecNftRunner({ netns: nsB });
  const list = async (nft: ExecNftRunner) =>
    normalize(await nft.run(["list", "table", "ip", "bosun-proxy"]));

  before(async () => {
    for (const ns of [nsA, nsB]) {
      await run("ip", ["netns", "del", ns]).catch(() => {});
      await run("ip", ["netns", "add", ns]);
    }
  });
  after(async () => {
    for (const ns of [nsA, nsB]) await run("ip", ["netns", "del", ns]).catch(() => {});
  });

  for (const s of scenarios) {
    it(`checks and loads ${s.name}`, async () => {
      const text = rulesetText(buildRuleset(s.services, s.slices, s.node));
      await a.check(text);
      await a.apply(text);
      assert.match(await a.run(["list", "table", "ip", "bosun-proxy"]), /chain nat-prerouting/);
    });
  }

  it("turns each scenario into the next incrementally, as a fresh load would", async () => {
    let prev = buildRuleset([], [], scenarios[0]!.node);
    await a.apply(rulesetText(prev));
    for (const s of [...scenarios, scenarios[0]!]) {
      const next = buildRuleset(s.services, s.slices, s.node);
      const script = transactionText(prev, next);
      assert.notEqual(script, undefined, s.name);
      if (script) await a.apply(script);
      await b.apply(rulesetText(next));
      const fresh = await list(b);
      assert.ok(fresh.includes("chain nat-prerouting"), "the listing was parsed");
      assert.equal(await list(a), fresh, `after moving to ${s.name}`);
      prev = next;
    }
  });

  it("resyncs fully without losing affinity entries, removing what is not wanted", async () => {
    const sticky = scenarios.find((s) => s.name === "session-affinity")!;
    const rs = buildRuleset(sticky.services, sticky.slices, sticky.node);
    await a.apply(rulesetText(rs));
    const set = [...rs.sets.keys()].find((n) => n.startsWith("affinity-"))!;
    await a.apply(
      `add element ip bosun-proxy ${set} { 10.244.9.9 }\nadd chain ip bosun-proxy stray\n`,
    );
    const listing = await a.run(["-t", "list", "table", "ip", "bosun-proxy"]);
    await a.apply(reassertText(rs, parseTableListing(listing)));
    const after = await a.run(["list", "table", "ip", "bosun-proxy"]);
    assert.doesNotMatch(after, /chain stray/);
    assert.match(await a.run(["list", "set", "ip", "bosun-proxy", set]), /10\.244\.9\.9/);
  });

  it("reports nft's own message when a script is refused, applying nothing", async () => {
    await assert.rejects(
      a.apply("add rule ip bosun-proxy no-such-chain accept\n"),
      (err: Error) => {
        assert.match(err.message, /nft -f - failed \(exit 1\).*No such file or directory/s);
        return true;
      },
    );
    assert.match(await a.run(["list", "table", "ip", "bosun-proxy"]), /chain nat-prerouting/);
  });

  it("names the Debian package when the binary is missing", async () => {
    const missing = new ExecNftRunner({ binary: "nft-not-installed" });
    await assert.rejects(
      missing.apply(""),
      /not found in PATH: install it \(Debian: apt-get install nftables\)/,
    );
  });
});
