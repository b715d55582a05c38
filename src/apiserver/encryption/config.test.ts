import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadEncryptionConfig, parseEncryptionConfiguration } from "./config.ts";
import { configYaml, testKey } from "./testing.ts";

const header = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n";
const parseError = (text: string): string => {
  try {
    parseEncryptionConfiguration(text);
  } catch (err) {
    return (err as Error).message;
  }
  return assert.fail("parsed");
};

describe("parseEncryptionConfiguration", () => {
  it("reads upstream's documented example (with valid keys)", () => {
    const config = parseEncryptionConfiguration(`${header}resources:
  - resources: [events]
    providers:
      - identity: {}
  - resources: [secrets, configmaps, pandas.awesome.bears.example]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: c2VjcmV0IGlzIHNlY3VyZQ==
  - resources: ['*.apps']
    providers:
      - aescbc:
          keys:
            - name: key2
              secret: ${testKey(2, 24)}
  - resources: ['*.*']
    providers:
      - secretbox:
          keys:
            - name: key3
              secret: ${testKey(3)}
`);
    assert.equal(config.resources.length, 4);
    assert.deepEqual(config.resources[1]!.resources, [
      "secrets",
      "configmaps",
      "pandas.awesome.bears.example",
    ]);
    assert.deepEqual(config.resources[0]!.providers, [{ identity: {} }]);
    assert.equal(config.resources[2]!.providers[0]!.aescbc!.keys[0]!.name, "key2");
  });

  it("reads JSON", () => {
    const config = parseEncryptionConfiguration(
      JSON.stringify({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "EncryptionConfiguration",
        resources: [
          {
            resources: ["secrets"],
            providers: [
              { aesgcm: { keys: [{ name: "k", secret: testKey(1, 16) }] } },
              { identity: {} },
            ],
          },
        ],
      }),
    );
    assert.equal(config.resources[0]!.providers[0]!.aesgcm!.keys[0]!.name, "k");
  });

  it("reports bad keys as upstream does", () => {
    const cases: [string, string][] = [
      [
        configYaml(
          ["secrets"],
          [{ provider: "aescbc", keys: [{ name: "key1", secret: "cGFzc3dvcmQ=" }] }],
        ),
        'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]',
      ],
      [
        configYaml(
          ["secrets"],
          [{ provider: "secretbox", keys: [{ name: "k", secret: testKey(1, 16) }] }],
        ),
        'resources[0].providers[0].secretbox.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 16, expected one of [32]',
      ],
      [
        configYaml(
          ["secrets"],
          [{ provider: "aesgcm", keys: [{ name: "k", secret: "not*base64" }] }],
        ),
        'resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded',
      ],
      [
        configYaml(["secrets"], [{ provider: "aesgcm", keys: [{ name: '""', secret: '""' }] }]),
        "[resources[0].providers[0].aesgcm.keys[0].name: Required value: name is a mandatory field for a key, resources[0].providers[0].aesgcm.keys[0].secret: Required value: secret is a mandatory field for a key]",
      ],
      [
        configYaml(["secrets"], [{ provider: "aesgcm" }]),
        "resources[0].providers[0].aesgcm.keys: Required value: at least one keys is required",
      ],
    ];
    for (const [text, message] of cases) assert.equal(parseError(text), message);
  });

  it("reports bad providers and resources as upstream does", () => {
    assert.equal(
      parseError(`${header}resources: []`),
      "resources: Required value: at least one resources is required",
    );
    assert.equal(
      parseError(`${header}resources:\n  - resources: [secrets]\n`),
      "resources[0].providers: Required value: at least one resources[0].providers is required",
    );
    assert.equal(
      parseError(`${header}resources:\n  - resources: [secrets]\n    providers:\n      - {}\n`),
      "resources[0].providers[0]: Invalid value: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
    );
    assert.equal(
      parseError(
        `${header}resources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n        aesgcm: {keys: [{name: a, secret: "${testKey(1)}"}]}\n`,
      ),
      "resources[0].providers[0]: Invalid value: more than one provider specified in a single element, should split into different list elements",
    );
    const resources = (list: string) =>
      parseError(
        `${header}resources:\n  - resources: ${list}\n    providers:\n      - identity: {}\n`,
      );
    assert.equal(
      resources("[secrets, '*.']"),
      `resources[0].resources: Invalid value: []string{"secrets", "*."}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`,
    );
    assert.equal(
      resources("[secrets, secrets]"),
      'resources[0].resources: Invalid value: []string{"secrets", "secrets"}: the same resource cannot be specified multiple times',
    );
    assert.equal(
      resources("[Secrets]"),
      'resources[0].resources[0]: Invalid value: "Secrets": resource name should not contain capital letters',
    );
    assert.equal(
      resources("['*']"),
      `resources[0].resources[0]: Invalid value: "*": use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources`,
    );
    assert.match(resources("[events.events.k8s.io]"), /Use 'events' instead in the config file$/);
    assert.match(
      resources("[serviceipallocations]"),
      /do not have REST API\/s cannot be encrypted$/,
    );
    assert.match(
      resources("['secrets.*']"),
      /encrypting the same resource across groups is not supported$/,
    );
  });

  it("rejects KMS providers, which Bosun does not support", () => {
    assert.equal(
      parseError(
        `${header}resources:\n  - resources: [secrets]\n    providers:\n      - kms: {apiVersion: v2, name: k, endpoint: "unix:///k.sock"}\n`,
      ),
      "resources[0].providers[0].kms: Forbidden: KMS providers are not supported by Bosun; use aesgcm, aescbc or secretbox",
    );
  });

  it("decodes strictly", () => {
    assert.equal(
      parseError(`${header}resources:\n  - resources: [secrets]\n    provider: []\n`),
      'strict decoding error: unknown field "resources[0].provider"',
    );
    assert.equal(
      parseError(`${header}resources:\n  - resources: secrets\n`),
      "json: cannot unmarshal string into Go struct field ResourceConfiguration.resources of type []string",
    );
    assert.equal(
      parseError("apiVersion: v1\nkind: ConfigMap\n"),
      'no kind "ConfigMap" is registered for version "v1"',
    );
    assert.match(parseError("resources: []\n"), /Kind' is missing/);
    assert.match(parseError(`${header}resources: [\n`), /^error converting YAML to JSON/);
  });
});

describe("loadEncryptionConfig", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bosun-enc-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const loadError = async (path: string) => {
    const err = await loadEncryptionConfig(path).then(
      () => assert.fail("loaded"),
      (e: Error) => e,
    );
    return err.message;
  };

  it("loads a valid file", async () => {
    const path = join(dir, "ok.yaml");
    await writeFile(path, configYaml(["secrets"], [{ provider: "identity" }]));
    assert.deepEqual((await loadEncryptionConfig(path)).resources[0]!.resources, ["secrets"]);
  });

  it("names the file in loading and decoding errors", async () => {
    const missing = join(dir, "missing.yaml");
    assert.match(
      await loadError(missing),
      new RegExp(
        `^error while parsing file: error while loading file: error reading encryption provider configuration file "${missing}": ENOENT`,
      ),
    );
    const empty = join(dir, "empty.yaml");
    await writeFile(empty, "");
    assert.equal(
      await loadError(empty),
      `error while parsing file: error while loading file: encryption provider configuration file "${empty}" is empty`,
    );
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, `${header}extra: 1\nresources: []\n`);
    assert.equal(
      await loadError(bad),
      `error while parsing file: error decoding encryption provider configuration file "${bad}": strict decoding error: unknown field "extra"`,
    );
    const short = join(dir, "short.yaml");
    await writeFile(
      short,
      configYaml(
        ["secrets"],
        [{ provider: "aesgcm", keys: [{ name: "k", secret: "cGFzc3dvcmQ=" }] }],
      ),
    );
    assert.equal(
      await loadError(short),
      'error while parsing file: resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]',
    );
  });
});
