/** PEM armour (RFC 7468) for DER certificates, requests and keys. */

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

export function toPEM(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Every PEM block in `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  return [...text.matchAll(re)].map((m) => ({
    label: m[1]!,
    der: Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ""), "base64"),
  }));
}

/** The DER of the first block with one of the given labels; throws if there is none. */
export function fromPEM(text: string, ...labels: string[]): Buffer {
  const block = pemBlocks(text).find((b) => labels.includes(b.label));
  if (!block) throw new Error(`no PEM block labelled ${labels.join(" or ")}`);
  return block.der;
}
