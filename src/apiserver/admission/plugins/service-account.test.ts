import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { StatusError } from "../../../machinery/status.ts";
import { StaticReader } from "./reader.ts";
import {
  defaultAPITokenMountPath,
  serviceAccountAdmission,
  tokenVolume,
} from "./service-account.ts";
import { attrs, podsDef } from "./testing.ts";

const sa = (name: string, extra: KubeObject = {}): KubeObject => ({
  metadata: { name, namespace: "ns" },
  ...extra,
});
const pod = (spec: Partial<Pod["spec"]> = {}, meta: Pod["metadata"] = {}): KubeObject =>
  ({
    metadata: { name: "p", namespace: "ns", ...meta },
    spec: { containers: [{ name: "c" }], ...spec },
  }) as KubeObject;

const plugin = (reader: StaticReader) => serviceAccountAdmission({ reader, suffix: () => "abcde" });

async function rejects(p: Promise<void>, message: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.reason, "Forbidden");
    assert.equal(err.message, message);
    return true;
  });
}

describe("ServiceAccount admission", () => {
  it("defaults to the default account and mounts the projected token volume", async () => {
    const a = attrs({ resource: podsDef, object: pod({ initContainers: [{ name: "init" }] }) });
    await plugin(new StaticReader().add("", "serviceaccounts", sa("default"))).admit?.(a);
    const spec = (a.object as Pod).spec;
    assert.equal(spec?.serviceAccountName, "default");
    assert.equal(spec?.serviceAccount, "default", "the deprecated field mirrors the name");
    assert.deepEqual(spec?.volumes, [tokenVolume("kube-api-access-abcde")]);
    const mount = {
      name: "kube-api-access-abcde",
      readOnly: true,
      mountPath: defaultAPITokenMountPath,
    };
    assert.deepEqual(spec?.containers[0]?.volumeMounts, [mount]);
    assert.deepEqual(spec?.initContainers?.[0]?.volumeMounts, [mount]);
    const projected = spec?.volumes?.[0]?.projected?.sources;
    assert.equal(projected?.[0]?.serviceAccountToken?.expirationSeconds, 3607);
  });

  it("rejects a pod whose account does not exist", async () => {
    const a = attrs({ resource: podsDef, object: pod({ serviceAccountName: "robot" }) });
    await rejects(
      plugin(new StaticReader()).admit?.(a) ?? Promise.resolve(),
      'pods "p" is forbidden: error looking up service account ns/robot: serviceaccount "robot" not found',
    );
  });

  it("waits for a namespace's default account the controller has not made yet", async () => {
    const reader = new StaticReader();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      if (waits.length === 3) reader.add("", "serviceaccounts", sa("default"));
    };
    const a = attrs({ resource: podsDef, object: pod() });
    await serviceAccountAdmission({ reader, sleep, suffix: () => "abcde" }).admit?.(a);
    assert.equal((a.object as Pod).spec?.volumes?.length, 1);
    assert.equal(waits.length, 3);
    assert.ok(
      waits.every((ms) => ms === waits[0] && ms >= 100 && ms < 200),
      String(waits),
    );
  });

  it("refuses after ten lookups of a missing default account, one of any other", async () => {
    let waits = 0;
    const sleep = async () => {
      waits++;
    };
    const admission = serviceAccountAdmission({ reader: new StaticReader(), sleep });
    await rejects(
      admission.admit?.(attrs({ resource: podsDef, object: pod() })) ?? Promise.resolve(),
      'pods "p" is forbidden: error looking up service account ns/default: serviceaccount "default" not found',
    );
    assert.equal(waits, 9);
    waits = 0;
    const named = attrs({ resource: podsDef, object: pod({ serviceAccountName: "robot" }) });
    await rejects(
      admission.admit?.(named) ?? Promise.resolve(),
      'pods "p" is forbidden: error looking up service account ns/robot: serviceaccount "robot" not found',
    );
    assert.equal(waits, 0);
  });

  it("does not mount when the pod or the account opts out", async () => {
    const reader = new StaticReader().add(
      "",
      "serviceaccounts",
      sa("quiet", { automountServiceAccountToken: false }),
    );
    const a = attrs({ resource: podsDef, object: pod({ serviceAccountName: "quiet" }) });
    await plugin(reader).admit?.(a);
    assert.equal((a.object as Pod).spec?.volumes, undefined);
    const b = attrs({
      resource: podsDef,
      object: pod({ serviceAccountName: "quiet", automountServiceAccountToken: true }),
    });
    await plugin(reader).admit?.(b);
    assert.equal((b.object as Pod).spec?.volumes?.length, 1);
  });

  it("keeps an existing mount at the token path and copies image pull secrets", async () => {
    const reader = new StaticReader().add(
      "",
      "serviceaccounts",
      sa("default", { imagePullSecrets: [{ name: "reg" }] }),
    );
    const own = { name: "mine", mountPath: defaultAPITokenMountPath };
    const a = attrs({
      resource: podsDef,
      object: pod({ containers: [{ name: "c", volumeMounts: [own] }] }),
    });
    await plugin(reader).admit?.(a);
    const spec = (a.object as Pod).spec;
    assert.equal(spec?.volumes, undefined);
    assert.deepEqual(spec?.containers[0]?.volumeMounts, [own]);
    assert.deepEqual(spec?.imagePullSecrets, [{ name: "reg" }]);
  });

  it("leaves mirror pods alone but forbids account and secret references", async () => {
    const mirror = { "kubernetes.io/config.mirror": "x" };
    const ok = attrs({ resource: podsDef, object: pod({}, { annotations: mirror }) });
    await plugin(new StaticReader()).admit?.(ok);
    assert.equal((ok.object as Pod).spec?.serviceAccountName, undefined);
    const bad = attrs({
      resource: podsDef,
      object: pod(
        { volumes: [{ name: "s", secret: { secretName: "x" } }] },
        { annotations: mirror },
      ),
    });
    await rejects(
      plugin(new StaticReader()).validate?.(bad) ?? Promise.resolve(),
      'pods "p" is forbidden: a mirror pod may not reference secrets',
    );
  });

  it("enforces mountable secrets when the account asks for it", async () => {
    const enforced = sa("default", {
      metadata: {
        name: "default",
        namespace: "ns",
        annotations: { "kubernetes.io/enforce-mountable-secrets": "true" },
      },
      secrets: [{ name: "allowed" }],
    });
    const reader = new StaticReader().add("", "serviceaccounts", enforced);
    const a = attrs({
      resource: podsDef,
      object: pod({
        automountServiceAccountToken: false,
        volumes: [{ name: "v", secret: { secretName: "other" } }],
      }),
    });
    await rejects(
      plugin(reader).admit?.(a) ?? Promise.resolve(),
      'pods "p" is forbidden: volume with secret.secretName="other" is not allowed because service account default does not reference that secret',
    );
  });

  it("ignores other resources, subresources and updates", async () => {
    const a = attrs({ resource: podsDef, operation: "UPDATE", object: pod() });
    await plugin(new StaticReader()).admit?.(a);
    assert.equal((a.object as Pod).spec?.serviceAccountName, undefined);
  });
});
