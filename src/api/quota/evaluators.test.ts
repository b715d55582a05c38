import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../generated/types.ts";
import type { KubeObject } from "../object.ts";
import { evaluatorFor } from "./evaluators.ts";

const usage = (pod: Pod) =>
  Object.fromEntries(
    [...evaluatorFor("", "pods").usage(pod as KubeObject)].map(([name, q]) => [name, q.toString()]),
  );

describe("pod quota usage", () => {
  it("charges the RuntimeClass overhead on requests and on the limits that are set", () => {
    const pod: Pod = {
      metadata: { name: "p", namespace: "ns" },
      spec: {
        runtimeClassName: "kata",
        overhead: { cpu: "250m", memory: "120Mi" },
        containers: [
          {
            name: "c",
            image: "i",
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1" } },
          },
        ],
      },
    };
    assert.deepEqual(usage(pod), {
      "count/pods": "1",
      pods: "1",
      cpu: "750m",
      "requests.cpu": "750m",
      "limits.cpu": "1250m",
      memory: "1144Mi",
      "requests.memory": "1144Mi",
    });
  });

  it("charges the overhead of a pod without requests", () => {
    const pod: Pod = {
      metadata: { name: "p", namespace: "ns" },
      spec: { overhead: { cpu: "100m" }, containers: [{ name: "c", image: "i" }] },
    };
    assert.deepEqual(usage(pod), {
      "count/pods": "1",
      pods: "1",
      cpu: "100m",
      "requests.cpu": "100m",
    });
  });
});
