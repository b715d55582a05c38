import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSet } from "./field-set.ts";
import {
  compareValues,
  elementText,
  keyElement,
  type Path,
  parseElement,
  pathString,
} from "./path.ts";

const f = (field: string) => ({ field });
const key = (fields: Record<string, unknown>) => keyElement(Object.entries(fields));

describe("FieldSet fieldsV1", () => {
  it("round-trips upstream's example byte for byte", () => {
    const text =
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"main\\"}":{".":{},"f:image":{}}}}}';
    const set = FieldSet.fromFieldsV1(JSON.parse(text));
    assert.equal(JSON.stringify(set.toFieldsV1()), text);
    assert.ok(set.has([f("metadata"), f("labels"), f("app")]));
    assert.ok(set.has([f("spec"), f("containers"), key({ name: "main" })]));
    assert.ok(!set.has([f("spec"), f("containers")]));
  });

  it("writes members and children in upstream's order: fields, keys, values, indices", () => {
    const set = FieldSet.of(
      [f("b")],
      [f("a"), { index: 1 }],
      [f("a"), { value: "x" }],
      [f("a"), key({ protocol: "TCP", containerPort: 80 })],
      [f("a"), f("z")],
      [f("a"), { index: 0 }, f("q")],
      [f("a"), { value: 2 }],
    );
    assert.equal(
      JSON.stringify(set.toFieldsV1()),
      '{"f:a":{"f:z":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{},"v:2":{},"v:\\"x\\"":{},"i:0":{"f:q":{}},"i:1":{}},"f:b":{}}',
    );
  });

  it("canonicalizes keys read in any order and reads `.` as membership", () => {
    const set = FieldSet.fromFieldsV1({
      "f:ports": { 'k:{"protocol":"UDP","containerPort":53}': { ".": {}, "f:name": {} } },
    });
    const item: Path = [f("ports"), key({ containerPort: 53, protocol: "UDP" })];
    assert.ok(set.has(item));
    assert.ok(set.has([...item, f("name")]));
    assert.deepEqual(set.toFieldsV1(), {
      "f:ports": { 'k:{"containerPort":53,"protocol":"UDP"}': { ".": {}, "f:name": {} } },
    });
  });

  it("escapes HTML characters in values as Go does", () => {
    const set = FieldSet.of([f("finalizers"), { value: "a<b&c>" }]);
    assert.deepEqual(Object.keys(set.toFieldsV1()["f:finalizers"] as object), [
      'v:"a\\u003cb\\u0026c\\u003e"',
    ]);
  });

  it("rejects malformed input", () => {
    assert.throws(() => FieldSet.fromFieldsV1([]), /must be a JSON object/);
    assert.throws(() => FieldSet.fromFieldsV1({ "x:y": {} }), /unknown path element type/);
    assert.throws(() => FieldSet.fromFieldsV1({ "f:a": 1 }), /expected an object/);
    assert.throws(() => parseElement("i:-1"), /unknown path element/);
  });

  it("an empty set is {}", () => {
    assert.deepEqual(new FieldSet().toFieldsV1(), {});
    assert.ok(FieldSet.fromFieldsV1({}).empty);
  });
});

describe("FieldSet algebra", () => {
  const a = FieldSet.of([f("x"), f("a")], [f("x"), f("b")], [f("y")]);
  const b = FieldSet.of([f("x"), f("b")], [f("z")]);

  it("union, intersection, difference", () => {
    assert.ok(
      a.union(b).equals(FieldSet.of([f("x"), f("a")], [f("x"), f("b")], [f("y")], [f("z")])),
    );
    assert.ok(a.intersection(b).equals(FieldSet.of([f("x"), f("b")])));
    assert.ok(a.difference(b).equals(FieldSet.of([f("x"), f("a")], [f("y")])));
    assert.ok(a.difference(a).empty);
  });

  it("recursive difference drops everything below a member of the other set", () => {
    const ignored = FieldSet.of([f("x")]);
    assert.ok(a.recursiveDifference(ignored).equals(FieldSet.of([f("y")])));
    assert.ok(a.difference(ignored).equals(a));
  });

  it("results share nothing with their inputs", () => {
    const u = a.union(b);
    u.insert([f("x"), f("new")]);
    assert.ok(!a.has([f("x"), f("new")]));
  });

  it("iterates members before children, as upstream's Iterate", () => {
    const set = FieldSet.of([f("spec"), f("replicas")], [f("kind")], [f("metadata"), f("name")]);
    assert.deepEqual(set.paths().map(pathString), [".kind", ".metadata.name", ".spec.replicas"]);
  });
});

describe("path elements", () => {
  it("print as upstream's PathElement.String", () => {
    const path: Path = [
      f("spec"),
      f("containers"),
      key({ name: "main" }),
      f("ports"),
      key({ containerPort: 80, protocol: "TCP" }),
    ];
    assert.equal(
      pathString(path),
      '.spec.containers[name="main"].ports[containerPort=80,protocol="TCP"]',
    );
    assert.equal(pathString([f("finalizers"), { value: "a" }]), '.finalizers[="a"]');
    assert.equal(pathString([f("args"), { index: 2 }]), ".args[2]");
  });

  it("have canonical texts", () => {
    assert.equal(elementText(key({ b: true, a: null })), 'k:{"a":null,"b":true}');
    assert.equal(elementText({ value: { b: 1, a: [1, "x"] } }), 'v:{"a":[1,"x"],"b":1}');
    assert.deepEqual(parseElement('v:{"a":1}'), { value: { a: 1 } });
    assert.deepEqual(parseElement("i:12"), { index: 12 });
  });

  it("order values as upstream: numbers, strings, booleans, lists, maps, null", () => {
    const values = [null, { a: 1 }, [1], true, "b", "a", 2, 1.5];
    assert.deepEqual(values.sort(compareValues), [1.5, 2, "a", "b", true, [1], { a: 1 }, null]);
  });
});
