/**
 * A small POSIX tar (ustar + PAX) writer and a streaming reader, enough for OCI image layers and
 * image archives. The writer is reproducible: owner root, fixed modification time (0 unless
 * given), entries in the order given. The reader validates header checksums, so a truncated or
 * corrupt archive is reported instead of yielding garbage.
 */
import type { Readable } from "node:stream";

export type TarEntry =
  | { readonly type: "dir"; readonly path: string; readonly mode?: number }
  | {
      readonly type: "file";
      readonly path: string;
      readonly data: Uint8Array;
      readonly mode?: number;
    }
  | { readonly type: "symlink"; readonly path: string; readonly target: string };

const BLOCK = 512;

/** Builds a tar archive (with the two zero blocks at the end) from the entries. */
export function writeTar(entries: Iterable<TarEntry>, options: { mtime?: number } = {}): Buffer {
  const mtime = options.mtime ?? 0;
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === "dir" ? `${entry.path.replace(/\/+$/, "")}/` : entry.path;
    const linkname = entry.type === "symlink" ? entry.target : "";
    const data = entry.type === "file" ? Buffer.from(entry.data) : Buffer.alloc(0);
    const split = splitName(name);
    const pax: Record<string, string> = {};
    if (!split) pax.path = name;
    if (Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
    if (Object.keys(pax).length > 0) {
      const body = paxRecords(pax);
      parts.push(header({ name: "PaxHeader", size: body.length, type: "x", mode: 0o644, mtime }));
      parts.push(body, padding(body.length));
    }
    const mode =
      entry.type === "symlink" ? 0o777 : (entry.mode ?? (entry.type === "dir" ? 0o755 : 0o644));
    const typeflag = entry.type === "dir" ? "5" : entry.type === "symlink" ? "2" : "0";
    parts.push(
      header({
        name: split?.name ?? name.slice(0, 100),
        prefix: split?.prefix ?? "",
        size: data.length,
        type: typeflag,
        mode,
        mtime,
        linkname: linkname.slice(0, 100),
      }),
    );
    if (data.length > 0) parts.push(data, padding(data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Splits a path into ustar's name (≤ 100 bytes) and prefix (≤ 155 bytes), or undefined. */
function splitName(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) !== path.length) return undefined; // non-ASCII: use PAX
  if (path.length <= 100) return { name: path, prefix: "" };
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  for (let i = trimmed.lastIndexOf("/"); i > 0; i = trimmed.lastIndexOf("/", i - 1)) {
    if (i <= 155 && path.length - i - 1 <= 100)
      return { name: path.slice(i + 1), prefix: path.slice(0, i) };
  }
  return undefined;
}

function paxRecords(records: Record<string, string>): Buffer {
  let out = "";
  for (const [key, value] of Object.entries(records)) {
    const rest = ` ${key}=${value}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len++;
    out += `${len}${rest}`;
  }
  return Buffer.from(out);
}

interface HeaderFields {
  name: string;
  prefix?: string;
  size: number;
  type: string;
  mode: number;
  mtime: number;
  linkname?: string;
}

function header(h: HeaderFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, "utf8");
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, Math.floor(h.mtime));
  b.fill(" ", 148, 156);
  b.write(h.type, 156, 1, "ascii");
  b.write(h.linkname ?? "", 157, 100, "utf8");
  b.write("ustar\u000000", 257, 8, "ascii");
  b.write("root", 265, 32, "ascii");
  b.write("root", 297, 32, "ascii");
  b.write(h.prefix ?? "", 345, 155, "utf8");
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return b;
}

function octal(b: Buffer, offset: number, length: number, value: number): void {
  b.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length, "ascii");
}

function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

/** An entry seen while reading; `data` is filled only for entries the caller asked to keep. */
export interface TarHeader {
  readonly path: string;
  readonly type: "file" | "dir" | "symlink" | "hardlink" | "other";
  readonly size: number;
  readonly linkname: string;
  readonly data?: Buffer;
}

export class TarFormatError extends Error {
  override name = "TarFormatError";
}

/**
 * Reads a tar stream entry by entry. `keep(path)` says which regular files' contents to buffer
 * (keep them small); other contents are skipped. Throws TarFormatError on a bad checksum, a
 * truncated archive or a missing end.
 */
export async function* readTar(
  input: Readable | AsyncIterable<Buffer>,
  keep: (path: string, size: number) => boolean = () => false,
): AsyncGenerator<TarHeader> {
  const reader = new BlockReader(input);
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block) throw new TarFormatError("archive truncated: unexpected end of data");
    if (block.every((x) => x === 0)) return;
    verifyChecksum(block);
    const size = parseNumber(block, 124, 12);
    const typeflag = String.fromCharCode(block[156] ?? 0);
    const needBody = ["x", "g", "L", "K"].includes(typeflag);
    const rawPath = cString(block, 345, 155)
      ? `${cString(block, 345, 155)}/${cString(block, 0, 100)}`
      : cString(block, 0, 100);
    const attrs = { ...globalPax, ...pax };
    const path = longName ?? attrs.path ?? rawPath;
    const wanted = !needBody && (typeflag === "0" || typeflag === "\u0000") && keep(path, size);
    const body = needBody || wanted ? await reader.read(size) : await reader.skip(size);
    if (body === undefined)
      throw new TarFormatError(`archive truncated: unexpected end of data in ${path}`);
    await reader.skip(padding(size).length);
    if (typeflag === "x") pax = parsePax(body as Buffer);
    else if (typeflag === "g") globalPax = { ...globalPax, ...parsePax(body as Buffer) };
    else if (typeflag === "L") longName = cString(body as Buffer, 0, size);
    else if (typeflag === "K") longLink = cString(body as Buffer, 0, size);
    else {
      const linkname = longLink ?? attrs.linkpath ?? cString(block, 157, 100);
      pax = {};
      longName = undefined;
      longLink = undefined;
      const header: TarHeader = { path, type: entryType(typeflag), size, linkname };
      yield wanted ? { ...header, data: body as Buffer } : header;
    }
  }
}

function entryType(flag: string): TarHeader["type"] {
  if (flag === "0" || flag === "\u0000" || flag === "7") return "file";
  if (flag === "5") return "dir";
  if (flag === "2") return "symlink";
  if (flag === "1") return "hardlink";
  return "other";
}

function verifyChecksum(block: Buffer): void {
  const field = cString(block, 148, 8).trim();
  if (!/^[0-7]+$/.test(field)) throw new TarFormatError("not a tar archive (corrupt header)");
  const stored = Number.parseInt(field, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  if (stored !== sum) throw new TarFormatError("tar header checksum mismatch (corrupt archive)");
}

function parseNumber(b: Buffer, offset: number, length: number): number {
  if (((b[offset] ?? 0) & 0x80) !== 0) {
    let v = 0;
    for (let i = offset + 1; i < offset + length; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  const s = cString(b, offset, length).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s))
    throw new TarFormatError(`bad number field in tar header: ${JSON.stringify(s)}`);
  return Number.parseInt(s, 8);
}

function cString(b: Buffer, offset: number, length: number): string {
  const end = b.indexOf(0, offset);
  return b.toString("utf8", offset, end === -1 || end > offset + length ? offset + length : end);
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    if (space === -1) break;
    const len = Number.parseInt(body.toString("ascii", i, space), 10);
    if (!(len > 0)) throw new TarFormatError("bad PAX record");
    const record = body.toString("utf8", space + 1, i + len - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Pulls exact byte counts out of a chunked stream. */
class BlockReader {
  #iter: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(input: Readable | AsyncIterable<Buffer>) {
    this.#iter = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async #fill(n: number): Promise<boolean> {
    const chunks = [this.#buf];
    let have = this.#buf.length;
    while (have < n && !this.#done) {
      const next = await this.#iter.next();
      if (next.done) this.#done = true;
      else {
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        chunks.push(chunk);
        have += chunk.length;
      }
    }
    if (chunks.length > 1) this.#buf = Buffer.concat(chunks);
    return this.#buf.length >= n;
  }

  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.#fill(n))) return undefined;
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Skips n bytes without keeping them; returns an empty buffer, or undefined when truncated. */
  async skip(n: number): Promise<Buffer | undefined> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#fill(1))) return undefined;
      const take = Math.min(left, this.#buf.length);
      this.#buf = this.#buf.subarray(take);
      left -= take;
    }
    return Buffer.alloc(0);
  }
}
