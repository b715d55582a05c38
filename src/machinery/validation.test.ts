import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorMessage } from "./field-errors.ts";
import { newPath } from "./field-path.ts";
import { parseCIDRSloppy, parseIPSloppy } from "./ip.ts";
import {
  isCIdentifier,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  maxLenError,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  regexError,
  validatePathSegmentName,
} from "./validation.ts";

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const nameRegexMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("message helpers", () => {
  it("formats regex errors with and without examples", () => {
    assert.equal(regexError("bad", "x+"), "bad (regex used for validation is 'x+')");
    assert.equal(regexError("bad", "x+", "x"), "bad (e.g. 'x', regex used for validation is 'x+')");
    assert.equal(
      regexError("bad", "x+", "x", "xx"),
      "bad (e.g. 'x',  or 'xx', regex used for validation is 'x+')",
    );
    assert.equal(maxLenError(63), "must be no more than 63 characters");
  });
});

describe("DNS names", () => {
  it("accepts subdomains and reports upstream's message otherwise", () => {
    for (const ok of ["a", "example.com", "a-b.c-d", "0", "a".repeat(253)]) {
      assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
    }
    assert.deepEqual(isDNS1123Subdomain("Example.com"), [subdomainMsg]);
    for (const bad of ["", "-a", "a-", "a..b", ".a", "a_b", "a b"]) {
      assert.deepEqual(isDNS1123Subdomain(bad), [subdomainMsg], bad);
    }
    assert.deepEqual(isDNS1123Subdomain("a".repeat(254)), ["must be no more than 253 characters"]);
  });

  it("checks labels, calling out dots separately", () => {
    assert.deepEqual(isDNS1123Label("my-name"), []);
    assert.deepEqual(isDNS1123Label("123-abc"), []);
    assert.deepEqual(isDNS1123Label("a.b"), ["must not contain dots"]);
    assert.deepEqual(isDNS1123Label("A"), [labelMsg]);
    assert.deepEqual(isDNS1123Label("a".repeat(64)), ["must be no more than 63 characters"]);
    assert.deepEqual(isDNS1123Label(`${"a".repeat(64)}_`), [
      "must be no more than 63 characters",
      labelMsg,
    ]);
  });

  it("checks DNS-1035 labels (must start with a letter)", () => {
    assert.deepEqual(isDNS1035Label("my-svc"), []);
    assert.deepEqual(isDNS1035Label("1abc"), [dns1035Msg]);
    assert.deepEqual(isDNS1035Label("a".repeat(64)), ["must be no more than 63 characters"]);
  });
});

describe("qualified names and label values", () => {
  it("accepts keys with and without a prefix", () => {
    for (const ok of ["app", "App_1.x-y", "example.com/app", "k8s.io/My.Name", "a".repeat(63)]) {
      assert.deepEqual(isQualifiedName(ok), [], ok);
    }
  });

  it("explains each broken part", () => {
    assert.deepEqual(isQualifiedName(""), [
      "name part must be non-empty",
      `name part ${nameRegexMsg}`,
    ]);
    assert.deepEqual(isQualifiedName("/a"), ["prefix part must be non-empty"]);
    assert.deepEqual(isQualifiedName("Example.com/a"), [`prefix part ${subdomainMsg}`]);
    assert.deepEqual(isQualifiedName("a/"), [
      "name part must be non-empty",
      `name part ${nameRegexMsg}`,
    ]);
    assert.deepEqual(isQualifiedName("-a"), [`name part ${nameRegexMsg}`]);
    assert.deepEqual(isQualifiedName("a".repeat(64)), [
      "name part must be no more than 63 characters",
    ]);
    assert.deepEqual(isQualifiedName("a/b/c"), [
      `a qualified name ${nameRegexMsg} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]);
  });

  it("checks label values", () => {
    for (const ok of ["", "a", "My_Value-1.0", "a".repeat(63)]) {
      assert.deepEqual(isValidLabelValue(ok), [], ok);
    }
    assert.deepEqual(isValidLabelValue("bad value!"), [labelValueMsg]);
    assert.deepEqual(isValidLabelValue("-a"), [labelValueMsg]);
    assert.deepEqual(isValidLabelValue("a".repeat(64)), ["must be no more than 63 characters"]);
    // Length is in bytes, as Go's len counts.
    assert.deepEqual(isValidLabelValue("é".repeat(32)), [
      "must be no more than 63 characters",
      labelValueMsg,
    ]);
  });
});

describe("ports and identifiers", () => {
  it("checks port numbers", () => {
    assert.deepEqual(isValidPortNum(1), []);
    assert.deepEqual(isValidPortNum(65535), []);
    for (const bad of [0, 65536, -1, 1.5]) {
      assert.deepEqual(
        isValidPortNum(bad),
        ["must be between 1 and 65535, inclusive"],
        String(bad),
      );
    }
  });

  it("checks port names", () => {
    assert.deepEqual(isValidPortName("http"), []);
    assert.deepEqual(isValidPortName("h2c-web"), []);
    assert.deepEqual(isValidPortName("a".repeat(16)), ["must be no more than 15 characters"]);
    assert.deepEqual(isValidPortName("HTTP"), [
      "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
      "must contain at least one letter (a-z)",
    ]);
    assert.deepEqual(isValidPortName("123"), ["must contain at least one letter (a-z)"]);
    assert.deepEqual(isValidPortName("a--b"), ["must not contain consecutive hyphens"]);
    assert.deepEqual(isValidPortName("-ab"), ["must not begin or end with a hyphen"]);
    assert.deepEqual(isValidPortName(""), [
      "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
      "must contain at least one letter (a-z)",
    ]);
  });

  it("checks C identifiers", () => {
    assert.deepEqual(isCIdentifier("MY_NAME"), []);
    assert.deepEqual(isCIdentifier("_x1"), []);
    assert.deepEqual(isCIdentifier("1x"), [
      "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
    ]);
  });
});

describe("IP addresses and CIDRs", () => {
  it("parses IPv4 and IPv6 sloppily, as upstream", () => {
    assert.deepEqual(parseIPSloppy("10.9.8.7"), new Uint8Array([10, 9, 8, 7]));
    assert.deepEqual(parseIPSloppy("010.001.002.003"), new Uint8Array([10, 1, 2, 3]));
    const v6 = parseIPSloppy("2001:db8::ffff");
    assert.equal(v6?.length, 16);
    assert.equal(v6?.[0], 0x20);
    assert.equal(v6?.[15], 0xff);
    assert.deepEqual(parseIPSloppy("::"), new Uint8Array(16));
    assert.deepEqual(
      parseIPSloppy("::ffff:1.2.3.4")?.slice(10),
      new Uint8Array([0xff, 0xff, 1, 2, 3, 4]),
    );
    assert.deepEqual(parseIPSloppy("1::")?.slice(0, 2), new Uint8Array([0, 1]));
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "1.2.3.4 ",
      "::1::",
      "1:2:3:4:5:6:7:8:9",
      "fe80::1%eth0",
      "abc",
      "1:2:3:4:5:6:7::8:9",
      "1:2:3:4:5:6:7:8::",
    ]) {
      assert.equal(parseIPSloppy(bad), null, bad);
    }
  });

  it("parses CIDRs", () => {
    assert.deepEqual(parseCIDRSloppy("10.0.0.0/8"), {
      ip: new Uint8Array([10, 0, 0, 0]),
      prefixLength: 8,
      bits: 32,
    });
    assert.equal(parseCIDRSloppy("2001:db8::/64")?.bits, 128);
    assert.equal(parseCIDRSloppy("10.0.0.1/32")?.prefixLength, 32);
    for (const bad of [
      "10.0.0.0",
      "10.0.0.0/33",
      "10.0.0.0/",
      "10.0.0.0/-1",
      "::/129",
      "x/8",
      "10.0.0.0/8/8",
    ]) {
      assert.equal(parseCIDRSloppy(bad), null, bad);
    }
  });

  it("reports field errors with upstream's messages", () => {
    const p = newPath("spec", "clusterIP");
    assert.deepEqual(isValidIP(p, "10.0.0.1"), []);
    assert.deepEqual(isValidIP(p, "1.2.3").map(fieldErrorMessage), [
      'spec.clusterIP: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    assert.deepEqual(isValidCIDR(p, "10.0.0.0/8"), []);
    assert.deepEqual(isValidCIDR(p, "10.0.0.0").map(fieldErrorMessage), [
      'spec.clusterIP: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
  });
});

describe("name validators", () => {
  it("masks a generateName's trailing dash", () => {
    assert.deepEqual(nameIsDNSSubdomain("web-", true), []);
    assert.deepEqual(nameIsDNSSubdomain("web-", false), [subdomainMsg]);
    assert.deepEqual(nameIsDNSLabel("web-", true), []);
    assert.deepEqual(nameIsDNS1035Label("web-", true), []);
    // The quirk: the character before the dash goes too, so "a.-" is checked as "aa".
    assert.deepEqual(nameIsDNSSubdomain("a.-", true), []);
    assert.deepEqual(nameIsDNSSubdomain("-", true), [subdomainMsg]);
  });

  it("checks path segment names", () => {
    assert.deepEqual(validatePathSegmentName("ok", false), []);
    assert.deepEqual(validatePathSegmentName(".", false), ["may not be '.'"]);
    assert.deepEqual(validatePathSegmentName("..", false), ["may not be '..'"]);
    assert.deepEqual(validatePathSegmentName("..", true), []);
    assert.deepEqual(validatePathSegmentName("a/b%c", false), [
      "may not contain '/'",
      "may not contain '%'",
    ]);
    assert.deepEqual(validatePathSegmentName("a/", true), ["may not contain '/'"]);
  });
});
