import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyFilter } from "./key-filter.ts";

describe("key filter", () => {
  it("never says no to a name it was given, and rarely says maybe to another", () => {
    const filter = new KeyFilter(0);
    const names = Array.from({ length: 50_000 }, (_, i) => `/registry/pods/ns-${i % 97}/pod-${i}`);
    for (const name of names) filter.add(name);
    for (const name of names) assert.ok(filter.mightHave(name), name);
    let maybe = 0;
    for (let i = 0; i < 50_000; i++) {
      if (filter.mightHave(`/registry/pods/ns-${i % 97}/other-${i}`)) maybe++;
    }
    // Sized for 260,000 names at ~1%: 50,000 give far fewer false answers.
    assert.ok(maybe < 100, `${maybe} of 50,000 unknown names said maybe`);
  });

  it("grows with the names it is built for", () => {
    const filter = new KeyFilter(1_000_000);
    for (let i = 0; i < 1_000_000; i++) filter.add(`/registry/events/default/e-${i}`);
    let maybe = 0;
    for (let i = 0; i < 20_000; i++)
      if (filter.mightHave(`/registry/events/default/x-${i}`)) maybe++;
    assert.ok(maybe < 400, `${maybe} of 20,000 unknown names said maybe`);
  });
});
