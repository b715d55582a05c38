import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type {
  CoreV1Event,
  Deployment,
  EventsV1Event,
  IntOrString,
  Pod,
  Quantity,
} from "../generated/types.ts";
import { builtinSchema } from "./schema.ts";

const typesTs = readFileSync(new URL("../generated/types.ts", import.meta.url), "utf8");

/** The exported name following a definition's `/** \`name\` … *\/` comment. */
function exportedName(definition: string): string | undefined {
  const at = typesTs.indexOf(`/** \`${definition}\``);
  if (at < 0) return undefined;
  return /export (?:interface|type) (\w+)/.exec(typesTs.slice(at))?.[1];
}

describe("generated types", () => {
  test("every definition has a type, named by the documented rule", () => {
    for (const name of Object.keys(builtinSchema().definitions)) {
      assert.ok(exportedName(name), name);
    }
    assert.equal(exportedName("io.k8s.api.core.v1.Pod"), "Pod");
    assert.equal(exportedName("io.k8s.api.core.v1.Event"), "CoreV1Event");
    assert.equal(exportedName("io.k8s.api.events.v1.Event"), "EventsV1Event");
    assert.equal(
      exportedName("io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler"),
      "AutoscalingV1HorizontalPodAutoscaler",
    );
    assert.equal(
      exportedName("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ServiceReference"),
      "ApiextensionsV1ServiceReference",
    );
  });

  test("objects typecheck with optional fields, enums, int-or-string and quantities", () => {
    const surge: IntOrString = "25%";
    const cpu: Quantity = "250m";
    const deployment: Deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        selector: { matchLabels: { app: "web" } },
        strategy: { rollingUpdate: { maxSurge: surge, maxUnavailable: 1 } },
        template: {
          spec: {
            restartPolicy: "Always",
            containers: [{ name: "main", resources: { requests: { cpu } } }],
          },
        },
      },
    };
    const pod: Pod = { metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } };
    const coreEvent: CoreV1Event = { involvedObject: {}, metadata: {} };
    const event: EventsV1Event = { eventTime: "2025-01-01T00:00:00.000000Z", metadata: {} };
    assert.equal(deployment.spec?.template.spec?.containers[0]?.name, "main");
    assert.equal(pod.spec?.containers.length, 1);
    assert.ok(coreEvent && event);
  });
});
