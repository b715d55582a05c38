import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { KubeletAuth } from "./auth.ts";
import { requestAttributes } from "./request-attributes.ts";
import { FakeReviews } from "./testing.ts";

const bearer = (token: string) =>
  ({ headers: { authorization: `Bearer ${token}` }, socket: {} }) as unknown as IncomingMessage;

describe("kubelet authentication and authorization", () => {
  it("refuses requests without credentials and checks tokens by TokenReview, cached 2 minutes", async () => {
    const reviews = new FakeReviews();
    reviews.tokens.set("t", { username: "sa", groups: ["system:serviceaccounts"] });
    const clock = new FakeClock();
    const auth = new KubeletAuth({ reviews, clock });
    assert.equal(
      await auth.authenticate({ headers: {}, socket: {} } as IncomingMessage),
      undefined,
    );
    assert.equal((await auth.authenticate(bearer("t")))?.username, "sa");
    assert.equal(await auth.authenticate(bearer("bad")), undefined);
    const calls = reviews.calls;
    await auth.authenticate(bearer("t"));
    assert.equal(reviews.calls, calls);
    clock.advance(121_000);
    await auth.authenticate(bearer("t"));
    assert.equal(reviews.calls, calls + 1);
  });

  it("caches allowed decisions 5 minutes and denied ones 30 seconds", async () => {
    const reviews = new FakeReviews();
    const clock = new FakeClock();
    const auth = new KubeletAuth({ reviews, clock });
    const user = { username: "u", groups: [] };
    const attrs = requestAttributes("GET", "/containerLogs/a/b/c", "n");
    assert.equal((await auth.authorize(user, attrs)).allowed, false);
    reviews.allowed.add("u get proxy");
    assert.equal((await auth.authorize(user, attrs)).allowed, false, "the denial is cached");
    clock.advance(31_000);
    assert.equal((await auth.authorize(user, attrs)).allowed, true);
    reviews.allowed.clear();
    clock.advance(299_000);
    assert.equal((await auth.authorize(user, attrs)).allowed, true, "the grant is cached");
    clock.advance(2_000);
    assert.equal((await auth.authorize(user, attrs)).allowed, false);
  });
});
