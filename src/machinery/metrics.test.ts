import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counter, Histogram } from "./metrics.ts";

describe("metrics", () => {
  it("keys series by labels sorted by name, values escaped as the text format wants", () => {
    const c = new Counter("requests_total", "Requests.");
    c.inc({ verb: "GET", code: "200" });
    c.inc({ code: "200", verb: "GET" }, 2);
    c.inc({ path: 'a\\b"c\nd' });
    c.inc();
    assert.equal(
      c.render(),
      [
        "# HELP requests_total Requests.",
        "# TYPE requests_total counter",
        'requests_total{code="200",verb="GET"} 3',
        'requests_total{path="a\\\\b\\"c\\nd"} 1',
        "requests_total 1",
      ].join("\n"),
    );
  });

  it("counts histogram observations into cumulative buckets", () => {
    const h = new Histogram("latency_seconds", "Latency.", [0.1, 1]);
    h.observe({ verb: "GET" }, 0.05);
    h.observe({ verb: "GET" }, 0.5);
    assert.match(h.render(), /latency_seconds_bucket\{verb="GET",le="0.1"\} 1\n/);
    assert.match(h.render(), /latency_seconds_bucket\{verb="GET",le="1"\} 2\n/);
    assert.match(h.render(), /latency_seconds_count\{verb="GET"\} 2$/);
  });
});
