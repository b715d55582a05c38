import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/generated/types.ts";
import { podReferences } from "./pod-references.ts";

describe("podReferences", () => {
  it("collects secrets, config maps, claims and the service account from every source", () => {
    const pod: Pod = {
      metadata: { name: "p", namespace: "ns" },
      spec: {
        serviceAccount: "legacy-sa",
        imagePullSecrets: [{ name: "pull" }, {}],
        initContainers: [{ name: "i", envFrom: [{ secretRef: { name: "init-env" } }] }],
        containers: [
          {
            name: "c",
            env: [
              { name: "A", value: "x" },
              { name: "B", valueFrom: { configMapKeyRef: { name: "cm-key", key: "k" } } },
            ],
          },
        ],
        ephemeralContainers: [{ name: "e", envFrom: [{ configMapRef: { name: "debug-cm" } }] }],
        volumes: [
          { name: "s", secret: { secretName: "vol-secret" } },
          { name: "csi", csi: { driver: "d", nodePublishSecretRef: { name: "csi-creds" } } },
          { name: "rbd", rbd: { image: "i", monitors: ["m"], secretRef: { name: "ceph" } } },
          {
            name: "proj",
            projected: {
              sources: [
                { configMap: { name: "proj-cm" } },
                { secret: { name: "proj-secret" } },
                { serviceAccountToken: { path: "token" } },
              ],
            },
          },
          { name: "claim", persistentVolumeClaim: { claimName: "c1" } },
          { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: {} } } },
        ],
      },
    };
    const refs = podReferences(pod);
    assert.deepEqual([...refs.secrets].sort(), [
      "ceph",
      "csi-creds",
      "init-env",
      "proj-secret",
      "pull",
      "vol-secret",
    ]);
    assert.deepEqual([...refs.configMaps].sort(), ["cm-key", "debug-cm", "proj-cm"]);
    assert.deepEqual([...refs.persistentVolumeClaims], ["c1", "p-scratch"]);
    assert.equal(refs.serviceAccount, "legacy-sa");
  });

  it("handles an empty pod", () => {
    const refs = podReferences({});
    assert.equal(refs.secrets.size + refs.configMaps.size + refs.persistentVolumeClaims.size, 0);
    assert.equal(refs.serviceAccount, "");
  });
});
