import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AutoscalingV2HorizontalPodAutoscaler } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { horizontalPodAutoscalerResource as hpaResource } from "./horizontal-pod-autoscaler.ts";
import { createLike, validateCreate } from "./testing.ts";

type HPA = Obj<AutoscalingV2HorizontalPodAutoscaler>;
const hpa = (spec: Partial<NonNullable<HPA["spec"]>>): HPA => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", namespace: "default" },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
    maxReplicas: 5,
    ...spec,
  },
});

describe("HorizontalPodAutoscaler", () => {
  it("defaults minReplicas, the CPU metric and the behavior's rules", () => {
    const created = createLike(
      hpaResource,
      hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }),
    );
    assert.equal(created.spec?.minReplicas, 1);
    assert.deepEqual(created.spec?.metrics, [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ]);
    assert.deepEqual(created.spec?.behavior?.scaleDown, {
      stabilizationWindowSeconds: 60,
      selectPolicy: "Max",
      policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
    });
    assert.equal(created.spec?.behavior?.scaleUp?.policies?.length, 2);
    assert.deepEqual(validateCreate(hpaResource, created), []);
  });

  it("refuses bad replica bounds, targets and metrics in upstream's words", () => {
    const errs = validateCreate(
      hpaResource,
      createLike(
        hpaResource,
        hpa({
          minReplicas: 5,
          maxReplicas: 2,
          scaleTargetRef: { kind: "", name: "web" },
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 0 } },
            },
            { type: "Sideways" },
          ],
        }),
      ),
    );
    assert.deepEqual(errs, [
      "spec.scaleTargetRef.kind: Required value",
      "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
      "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
      'spec.metrics[1].type: Unsupported value: "Sideways": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ]);
  });
});
