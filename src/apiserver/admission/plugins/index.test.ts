import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admissionOrder, builtinAdmissionPlugins, orderPlugins } from "./index.ts";
import { StaticReader } from "./reader.ts";

describe("admission plugin order", () => {
  it("builds the plugins in upstream's order", () => {
    const names = builtinAdmissionPlugins({ reader: new StaticReader() }).map((p) => p.name);
    assert.deepEqual(names, admissionOrder.slice(1));
  });

  it("orders any plugin list by admissionOrder", () => {
    const named = (name: string) => ({ name });
    const sorted = orderPlugins([
      named("ResourceQuota"),
      named("Custom"),
      named("NamespaceLifecycle"),
      named("LimitRanger"),
    ]);
    assert.deepEqual(
      sorted.map((p) => p.name),
      ["NamespaceLifecycle", "LimitRanger", "ResourceQuota", "Custom"],
    );
  });
});
