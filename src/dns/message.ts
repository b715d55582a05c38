/**
 * DNS messages as values (RFC 1035, EDNS0 from RFC 6891): the header flags, questions and the
 * resource records the cluster zone answers with. Names are written without the trailing dot
 * ("" is the root); record types Bosun does not interpret travel as raw bytes.
 */

/** Record types by name (RFC 1035 and later). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, ANY: 255 } as const;

export const Rcode = {
  NoError: 0,
  FormErr: 1,
  ServFail: 2,
  NXDomain: 3,
  NotImp: 4,
  Refused: 5,
} as const;

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

interface RRBase {
  readonly name: string;
  readonly ttl: number;
  /** Default IN. */
  readonly class?: number;
}

export type ResourceRecord =
  | (RRBase & { readonly type: "A" | "AAAA"; readonly address: string })
  | (RRBase & { readonly type: "CNAME" | "PTR" | "NS"; readonly target: string })
  | (RRBase & {
      readonly type: "SRV";
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    })
  | (RRBase & { readonly type: "MX"; readonly preference: number; readonly exchange: string })
  | (RRBase & {
      readonly type: "SOA";
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    })
  | (RRBase & { readonly type: "TXT"; readonly text: readonly string[] })
  | (RRBase & { readonly type: "RAW"; readonly rrtype: number; readonly data: Uint8Array });

export type RecordKind = ResourceRecord["type"];

/** The OPT pseudo-record of EDNS0, kept apart from the additional section. */
export interface Edns {
  /** The requester's UDP payload size. */
  readonly udpSize: number;
  /** DNSSEC OK. */
  readonly do: boolean;
  readonly version: number;
  /** EDNS options, undecoded. */
  readonly options?: Uint8Array;
}

export interface DnsHeader {
  readonly id: number;
  /** True for a response. */
  readonly qr: boolean;
  readonly opcode: number;
  /** Authoritative answer. */
  readonly aa: boolean;
  /** Truncated. */
  readonly tc: boolean;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Recursion available. */
  readonly ra: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  readonly rcode: number;
}

export interface DnsMessage extends DnsHeader {
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
  readonly edns?: Edns;
}

const typeNames = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));

/** `A`, `SRV`… or `TYPE65` for types without a name here (RFC 3597's presentation). */
export function typeName(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/** The numeric type of a record. */
export function recordType(rr: ResourceRecord): number {
  return rr.type === "RAW" ? rr.rrtype : RRType[rr.type];
}

/** A reply skeleton for `query`: same id, opcode, question and RD/CD bits. */
export function replyTo(
  query: DnsMessage,
  fields: Partial<Omit<DnsMessage, "id" | "questions">> = {},
): DnsMessage {
  return {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa: false,
    tc: false,
    rd: query.rd,
    ra: false,
    ad: false,
    cd: query.cd,
    rcode: Rcode.NoError,
    questions: query.questions,
    answers: [],
    authorities: [],
    additionals: [],
    ...fields,
  };
}
