/**
 * Subject and issuer names: the common name and organizations Kubernetes reads as user name and
 * groups. Encoded in Go's order (O before CN), one attribute per RDN, as UTF8String.
 */
import { type Asn1Node, children, expect, readOid, readString, sequenceOf } from "./asn1-reader.ts";
import { oid, sequence, setOf, Tag, utf8String } from "./asn1-writer.ts";
import { OID } from "./oids.ts";

export interface DistinguishedName {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  readonly organizationalUnits?: readonly string[];
}

/** A decoded name: every attribute in order, and the ones Kubernetes uses picked out. */
export interface ParsedName {
  readonly commonName: string;
  readonly organizations: string[];
  readonly organizationalUnits: string[];
  readonly attributes: { readonly oid: string; readonly value: string }[];
}

export function encodeName(name: DistinguishedName): Buffer {
  const attribute = (type: string, value: string) => setOf(sequence(oid(type), utf8String(value)));
  return sequence(
    ...(name.organizations ?? []).map((o) => attribute(OID.organizationName, o)),
    ...(name.organizationalUnits ?? []).map((ou) => attribute(OID.organizationalUnitName, ou)),
    ...(name.commonName ? [attribute(OID.commonName, name.commonName)] : []),
  );
}

export function decodeName(node: Asn1Node | undefined): ParsedName {
  const attributes: { oid: string; value: string }[] = [];
  for (const rdn of sequenceOf(node, "Name")) {
    for (const atv of children(expect(rdn, Tag.SET, "RelativeDistinguishedName"))) {
      const [type, value] = sequenceOf(atv, "AttributeTypeAndValue");
      attributes.push({ oid: readOid(type), value: readString(value) });
    }
  }
  const values = (type: string) => attributes.filter((a) => a.oid === type).map((a) => a.value);
  return {
    commonName: values(OID.commonName).at(-1) ?? "",
    organizations: values(OID.organizationName),
    organizationalUnits: values(OID.organizationalUnitName),
    attributes,
  };
}
