import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { testCertificates } from "../../kubelet/server/testing.ts";
import { realClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { StaticReader } from "../admission/plugins/reader.ts";
import { ResourceMetricsCollector } from "./collector.ts";
import { parseResourceMetrics } from "./prometheus-text.ts";

const certs = testCertificates();
const client = certs.client("kube-apiserver-kubelet-client");

/** A kubelet whose counters advance by fixed amounts per scrape, each sample 2 s after the last. */
let scrapes = 0;
let withPod = true;
function text(): string {
  const n = scrapes++;
  const ms = 1_767_225_600_000 + n * 2000;
  const pod = withPod
    ? [
        `container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} ${10 + n * 0.5} ${ms}`,
        `container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 20971520 ${ms}`,
      ]
    : [];
  return [
    "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time",
    "# TYPE container_cpu_usage_seconds_total counter",
    ...pod,
    `node_cpu_usage_seconds_total ${100 + n * 3} ${ms}`,
    `node_memory_working_set_bytes 1073741824 ${ms}`,
    "resource_scrape_error 0",
    "",
  ].join("\n");
}

let kubelet: Server;
let port = 0;
before(async () => {
  kubelet = createServer(
    {
      cert: certs.serving.certPem,
      key: certs.serving.keyPem,
      ca: certs.ca.certPem,
      requestCert: true,
    },
    (req, res) => {
      const authorized = (req.socket as import("node:tls").TLSSocket).authorized;
      if (!authorized || req.url !== "/metrics/resource") return res.writeHead(403).end();
      res.writeHead(200, { "content-type": "text/plain" }).end(text());
    },
  );
  await new Promise<void>((r) => kubelet.listen(0, "127.0.0.1", r));
  port = (kubelet.address() as AddressInfo).port;
});
after(() => {
  kubelet.closeAllConnections();
  kubelet.close();
});

const node = (name: string, ready: boolean, kubeletPort: number) =>
  ({
    metadata: { name },
    status: {
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    },
  }) as KubeObject;

describe("resource metrics", () => {
  it("reads node and container series from a kubelet's text, labels unescaped", () => {
    const parsed = parseResourceMetrics(
      [
        "# TYPE x counter",
        'container_cpu_usage_seconds_total{container="a\\"b",namespace="ns",pod="p"} 1.5 1000',
        'container_memory_working_set_bytes{container="a\\"b",namespace="ns",pod="p"} 2e+06 1000',
        "node_cpu_usage_seconds_total 42 2000",
        "node_memory_working_set_bytes 7",
        "something_else 1",
      ].join("\n"),
      5000,
    );
    assert.deepEqual(parsed.node, { cpu: { value: 42, ms: 2000 }, memory: { value: 7, ms: 5000 } });
    assert.deepEqual(parsed.containers, [
      {
        namespace: "ns",
        pod: "p",
        container: 'a"b',
        cpu: { value: 1.5, ms: 1000 },
        memory: { value: 2e6, ms: 1000 },
      },
    ]);
  });

  it("turns two scrapes into rates, skips nodes that are not Ready, drops series that went away", async () => {
    const reader = new StaticReader().add(
      "",
      "nodes",
      node("n1", true, port),
      // NotReady: never scraped (its port answers nothing).
      node("n2", false, 1),
    );
    const collector = new ResourceMetricsCollector({
      reader,
      kubelet: { certPem: client.certPem, keyPem: client.keyPem, caPem: certs.ca.certPem },
      clock: realClock,
      log: silentLogger,
      resolutionMs: 200,
    });
    try {
      const nodes = await collector.nodes();
      assert.deepEqual([...nodes.keys()], ["n1"]);
      const n1 = nodes.get("n1")!;
      // 3 CPU-seconds every 2 s: 1.5 cores.
      assert.equal(n1.cpu, 1.5e9);
      assert.equal(n1.memory, 1073741824);
      assert.equal(n1.windowMs, 2000);
      const [pod] = await collector.pods("default");
      assert.equal(pod?.name, "web");
      assert.deepEqual(
        pod?.containers.map((c) => [c.name, c.cpu, c.memory]),
        [["app", 0.25e9, 20971520]],
      );
      assert.deepEqual(await collector.pods("other"), []);
      withPod = false;
      const before = scrapes;
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(scrapes > before, "it keeps scraping while asked");
      assert.deepEqual(await collector.pods(""), []);
    } finally {
      collector.stop();
      withPod = true;
    }
  });
});
