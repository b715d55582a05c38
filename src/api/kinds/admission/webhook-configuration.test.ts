import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  MutatingWebhook,
  MutatingWebhookConfiguration,
  ValidatingWebhook,
  ValidatingWebhookConfiguration,
} from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { builtinResources } from "../index.ts";
import {
  mutatingWebhookConfigurationResource as mutatingDef,
  validatingWebhookConfigurationResource as validatingDef,
} from "./webhook-configuration.ts";

const hook = (extra: Partial<ValidatingWebhook> = {}): ValidatingWebhook => ({
  name: "validate.example.com",
  admissionReviewVersions: ["v1"],
  sideEffects: "None",
  clientConfig: { service: { name: "webhook", namespace: "system", path: "/validate" } },
  rules: [
    { operations: ["CREATE", "UPDATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] },
  ],
  ...extra,
});

const validating = (...webhooks: ValidatingWebhook[]): Obj<ValidatingWebhookConfiguration> => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  metadata: { name: "example-webhook", creationTimestamp: created },
  webhooks,
});

const mutating = (...webhooks: MutatingWebhook[]): Obj<MutatingWebhookConfiguration> => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name: "example-webhook", creationTimestamp: created },
  webhooks,
});

/** The errors of a validating configuration with one webhook changed by `extra`. */
const errorsOf = (extra: Partial<ValidatingWebhook>) =>
  simulateCreate(validatingDef, validating(hook(extra))).errors;

describe("ValidatingWebhookConfiguration", () => {
  it("is served cluster-scoped in admissionregistration.k8s.io/v1, no short names", () => {
    for (const def of [validatingDef, mutatingDef]) {
      assert.equal(def.group, "admissionregistration.k8s.io");
      assert.equal(def.version, "v1");
      assert.equal(def.namespaced, false);
      assert.equal(def.shortNames, undefined);
      assert.equal(def.subresources, undefined);
      assert.deepEqual(def.categories, ["api-extensions"]);
      assert.ok(
        builtinResources.some((served) => served.kind === def.kind),
        def.kind,
      );
    }
  });

  it("defaults policies, selectors, timeout, rule scope and service port, and prints the count", () => {
    const { obj, errors } = simulateCreate(
      validatingDef,
      validating(
        hook(),
        hook({ name: "url.example.com", clientConfig: { url: "https://x.io/v" } }),
      ),
    );
    assert.deepEqual(errors, []);
    const [first, second] = obj.webhooks ?? [];
    assert.equal(first?.failurePolicy, "Fail");
    assert.equal(first?.matchPolicy, "Equivalent");
    assert.deepEqual(first?.namespaceSelector, {});
    assert.deepEqual(first?.objectSelector, {});
    assert.equal(first?.timeoutSeconds, 10);
    assert.equal(first?.rules?.[0]?.scope, "*");
    assert.equal(first?.clientConfig.service?.port, 443);
    assert.equal(second?.clientConfig.service, undefined);
    assert.equal("reinvocationPolicy" in (first ?? {}), false);
    assert.deepEqual(printRow(validatingDef, obj, t0 + 60_000), {
      Name: "example-webhook",
      Webhooks: 2,
      Age: "60s",
    });
    const kept = simulateCreate(
      validatingDef,
      validating(hook({ failurePolicy: "Ignore", timeoutSeconds: 5, matchPolicy: "Exact" })),
    ).obj.webhooks?.[0];
    assert.deepEqual(
      [kept?.failurePolicy, kept?.timeoutSeconds, kept?.matchPolicy],
      ["Ignore", 5, "Exact"],
    );
    const { webhooks: _, ...empty } = validating();
    const none = simulateCreate(validatingDef, empty);
    assert.deepEqual(none.errors, []);
    assert.equal(printRow(validatingDef, none.obj, t0).Webhooks, 0);
  });

  it("requires fully qualified, unique webhook names", () => {
    const { errors } = simulateCreate(
      validatingDef,
      validating(
        hook({ name: "" }),
        hook({ name: "Bad_Name" }),
        hook({ name: "example.com" }),
        hook({ name: "a.example.com" }),
        hook({ name: "a.example.com" }),
      ),
    );
    assert.deepEqual(errors, [
      "webhooks[0].name: Required value",
      "webhooks[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'webhooks[2].name: Invalid value: "example.com": should be a domain with at least three segments separated by dots',
      'webhooks[4].name: Duplicate value: "a.example.com"',
    ]);
  });

  it("refuses incomplete rules and misplaced wildcards in upstream's words", () => {
    assert.deepEqual(errorsOf({ rules: [{}] }), [
      "webhooks[0].rules[0].operations: Required value",
      "webhooks[0].rules[0].apiGroups: Required value",
      "webhooks[0].rules[0].apiVersions: Required value",
      "webhooks[0].rules[0].resources: Required value",
    ]);
    const rule = {
      operations: ["CREATE", "*", "PATCH"] as ("*" | "CREATE")[],
      apiGroups: ["apps", "*"],
      apiVersions: ["*", ""],
      resources: ["pods", ""],
      scope: "Everywhere",
    };
    assert.deepEqual(errorsOf({ rules: [rule] }), [
      'webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"CREATE", "*", "PATCH"}: if \'*\' is present, must not specify other operations',
      'webhooks[0].rules[0].operations[2]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      'webhooks[0].rules[0].apiGroups: Invalid value: []string{"apps", "*"}: if \'*\' is present, must not specify other API groups',
      'webhooks[0].rules[0].apiVersions: Invalid value: []string{"*", ""}: if \'*\' is present, must not specify other API versions',
      "webhooks[0].rules[0].apiVersions[1]: Required value",
      "webhooks[0].rules[0].resources[1]: Required value",
      'webhooks[0].rules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"',
    ]);
  });

  it("checks resources and subresources as upstream does", () => {
    const resources = (...list: string[]) =>
      errorsOf({
        rules: [{ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: list }],
      });
    for (const ok of [["*"], ["*/*"], ["pods", "pods/status"], ["*", "*/status"], ["pods/*"]]) {
      assert.deepEqual(resources(...ok), [], ok.join(","));
    }
    assert.deepEqual(resources("*/*", "pods"), [
      'webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "pods"}: if \'*/*\' is present, must not specify other resources',
    ]);
    assert.deepEqual(resources("*", "pods"), [
      'webhooks[0].rules[0].resources: Invalid value: []string{"*", "pods"}: if \'*\' is present, must not specify other resources without subresources',
    ]);
    assert.deepEqual(resources("pods/*", "pods/status", "*/scale", "deployments/scale"), [
      "webhooks[0].rules[0].resources[1]: Invalid value: \"pods/status\": if 'pods/*' is present, must not specify pods/status",
      "webhooks[0].rules[0].resources[3]: Invalid value: \"deployments/scale\": if '*/scale' is present, must not specify deployments/scale",
    ]);
  });

  it("refuses unknown policies, side effects, timeouts and bad selectors", () => {
    assert.deepEqual(
      errorsOf({
        failurePolicy: "Retry" as "Fail",
        matchPolicy: "Fuzzy" as "Exact",
        timeoutSeconds: 31,
        namespaceSelector: { matchExpressions: [{ key: "env", operator: "In" }] },
        objectSelector: { matchLabels: { "bad key": "x" } },
      }),
      [
        'webhooks[0].failurePolicy: Unsupported value: "Retry": supported values: "Fail", "Ignore"',
        'webhooks[0].matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
        "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
        "webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "webhooks[0].objectSelector.matchLabels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    );
    assert.deepEqual(errorsOf({ timeoutSeconds: 0 }), [
      "webhooks[0].timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 seconds",
    ]);
    const { sideEffects: _, ...withoutSideEffects } = hook();
    assert.deepEqual(
      simulateCreate(validatingDef, validating(withoutSideEffects as ValidatingWebhook)).errors,
      ["webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun"],
    );
    assert.deepEqual(errorsOf({ sideEffects: "Some" }), [
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    ]);
    assert.deepEqual(errorsOf({ sideEffects: "NoneOnDryRun" }), []);
  });

  it("requires known, distinct admission review versions", () => {
    assert.deepEqual(errorsOf({ admissionReviewVersions: [] }), [
      "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
    ]);
    assert.deepEqual(errorsOf({ admissionReviewVersions: ["v2", "v2", "V3"] }), [
      'webhooks[0].admissionReviewVersions[1]: Invalid value: "v2": duplicate version',
      "webhooks[0].admissionReviewVersions[2]: Invalid value: \"V3\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2", "v2", "V3"}: must include at least one of v1, v1beta1',
    ]);
    assert.deepEqual(errorsOf({ admissionReviewVersions: ["v1beta1", "v1"] }), []);
  });

  it("refuses CEL match conditions, which this server cannot evaluate", () => {
    const matchConditions = [
      { name: "not-system", expression: "!request.userInfo.username.startsWith('system:')" },
    ];
    assert.deepEqual(errorsOf({ matchConditions }), [
      "webhooks[0].matchConditions: Forbidden: CEL match conditions are not supported by this server",
    ]);
    assert.deepEqual(errorsOf({ matchConditions: [] }), []);
  });
});

describe("webhook clientConfig", () => {
  it("needs exactly one of url or service", () => {
    const both = { url: "https://x.io", service: { name: "a", namespace: "b" } };
    for (const clientConfig of [{}, both]) {
      assert.deepEqual(errorsOf({ clientConfig }), [
        "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
      ]);
    }
  });

  it("accepts https URLs with a host and nothing else", () => {
    const url = (u: string) => errorsOf({ clientConfig: { url: u } });
    assert.deepEqual(url("https://webhook.example.com:8443/validate"), []);
    assert.deepEqual(url("http://user:pw@example.com/v?x=1#top"), [
      "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
      'webhooks[0].clientConfig.url: Invalid value: "user:pw": user information is not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "top": fragments are not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "x=1": query parameters are not permitted in the URL',
    ]);
    assert.deepEqual(url("webhook.example.com"), [
      "webhooks[0].clientConfig.url: Invalid value: \"\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
      'webhooks[0].clientConfig.url: Invalid value: "": host must be provided; desired format: https://host[/path]',
    ]);
    assert.deepEqual(url("https://example.com:https/"), [
      'webhooks[0].clientConfig.url: Required value: url must be a valid URL: parse "https://example.com:https/": invalid port ":https" after host; desired format: https://host[/path]',
    ]);
  });

  it("checks the service reference with upstream's paths and messages", () => {
    const service = (s: object) =>
      errorsOf({ clientConfig: { service: { name: "webhook", namespace: "system", ...s } } });
    assert.deepEqual(service({ path: "/" }), []);
    assert.deepEqual(service({ port: 8443, path: "/apis/v1/validate/" }), []);
    // Upstream passes name and namespace swapped: each is reported at the other's path.
    assert.deepEqual(service({ name: "", namespace: "" }), [
      "webhooks[0].clientConfig.service.name: Required value: service name is required",
      "webhooks[0].clientConfig.service.namespace: Required value: service namespace is required",
    ]);
    assert.deepEqual(service({ namespace: "" }), [
      "webhooks[0].clientConfig.service.name: Required value: service name is required",
    ]);
    assert.deepEqual(service({ port: 70000 }), [
      "webhooks[0].clientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive",
    ]);
    assert.deepEqual(service({ path: "validate//Now" }), [
      "webhooks[0].clientConfig.service.path: Invalid value: \"validate//Now\": must start with a '/'",
      'webhooks[0].clientConfig.service.path: Invalid value: "validate//Now": segment[1] may not be empty',
      "webhooks[0].clientConfig.service.path: Invalid value: \"validate//Now\": segment[2]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.deepEqual(service({ path: "//" }), [
      'webhooks[0].clientConfig.service.path: Invalid value: "//": segment[0] may not be empty',
    ]);
  });

  it("accepts a caBundle that decodes as base64 and refuses one that does not", () => {
    const pem = Buffer.from("-----BEGIN CERTIFICATE-----\n").toString("base64");
    const ca = (caBundle: string) => errorsOf({ clientConfig: { url: "https://x.io", caBundle } });
    assert.deepEqual(ca(pem), []);
    assert.deepEqual(ca("not base64!"), [
      "webhooks[0].clientConfig.caBundle: Invalid value: illegal base64 data at input byte 3",
    ]);
    assert.deepEqual(ca("YQ="), [
      "webhooks[0].clientConfig.caBundle: Invalid value: illegal base64 data at input byte 3",
    ]);
  });
});

describe("MutatingWebhookConfiguration", () => {
  const mhook = (extra: Partial<MutatingWebhook> = {}): MutatingWebhook => ({
    ...hook(),
    ...extra,
  });

  it("defaults reinvocationPolicy to Never and validates it", () => {
    const { obj, errors } = simulateCreate(mutatingDef, mutating(mhook()));
    assert.deepEqual(errors, []);
    assert.equal(obj.webhooks?.[0]?.reinvocationPolicy, "Never");
    assert.equal(obj.webhooks?.[0]?.timeoutSeconds, 10);
    assert.deepEqual(printRow(mutatingDef, obj, t0), {
      Name: "example-webhook",
      Webhooks: 1,
      Age: "0s",
    });
    assert.deepEqual(
      simulateCreate(mutatingDef, mutating(mhook({ reinvocationPolicy: "Always" }))).errors,
      [
        'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
      ],
    );
    assert.deepEqual(
      simulateCreate(mutatingDef, mutating(mhook({ reinvocationPolicy: "IfNeeded" }))).errors,
      [],
    );
  });
});

describe("webhook configuration updates", () => {
  it("keep allowing what the stored object already had, as upstream", () => {
    const legacy = validating(
      hook({ sideEffects: "Unknown", admissionReviewVersions: ["v0"] }),
      hook({ sideEffects: "Some" }),
    );
    const { errors } = simulateUpdate(validatingDef, legacy, legacy);
    assert.deepEqual(errors, []);
    const dupes = validating(hook(), hook());
    assert.deepEqual(simulateUpdate(validatingDef, dupes, dupes).errors, []);
    assert.deepEqual(simulateUpdate(validatingDef, dupes, validating(hook())).errors, [
      'webhooks[1].name: Duplicate value: "validate.example.com"',
    ]);
  });

  it("refuse side effects and unknown versions once the stored object has none", () => {
    const { errors } = simulateUpdate(
      validatingDef,
      validating(hook({ sideEffects: "Some", admissionReviewVersions: ["v0"] })),
      validating(hook()),
    );
    assert.deepEqual(errors, [
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].admissionReviewVersions: Invalid value: []string{"v0"}: must include at least one of v1, v1beta1',
    ]);
  });

  it("check match conditions only when they change", () => {
    const matchConditions = [{ name: "all", expression: "true" }];
    const stored = mutating({ ...hook(), matchConditions });
    assert.deepEqual(simulateUpdate(mutatingDef, stored, stored).errors, []);
    assert.deepEqual(
      simulateUpdate(
        mutatingDef,
        mutating({ ...hook(), matchConditions: [...matchConditions, ...matchConditions] }),
        stored,
      ).errors,
      [
        "webhooks[0].matchConditions: Forbidden: CEL match conditions are not supported by this server",
      ],
    );
  });
});
