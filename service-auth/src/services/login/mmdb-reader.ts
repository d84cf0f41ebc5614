import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isIP } from "node:net";

// A MaxMind DB (.mmdb) reader that reads the file where a lookup leads instead of holding it in
// memory (maxmind's `open` reads the whole file into a Buffer: ~130 MB for DB-IP city lite).
// Format: https://maxmind.github.io/MaxMind-DB/ — a binary search tree over the address bits,
// then a data section of typed values; metadata at the end, after "\xAB\xCD\xEFMaxMind.com".
// Reads are positioned (pread) 4 KiB pages kept in a small LRU: the top of the tree, which every
// lookup crosses, stays cached; a lookup costs a few page reads, served by the OS page cache.

const PAGE = 4096;
const METADATA_MARKER = Buffer.from("abcdef4d61784d696e642e636f6d", "hex");
const DATA_SEPARATOR = 16;

export type MmdbValue = string | number | boolean | bigint | Buffer | MmdbValue[] | { [key: string]: MmdbValue };

interface Metadata {
  node_count: number;
  record_size: number;
  ip_version: number;
}

export class MmdbReader {
  private readonly fd: number;
  private readonly size: number;
  private readonly pages = new Map<number, Buffer>();
  private readonly metadata: Metadata;
  private readonly nodeBytes: number;
  private readonly dataStart: number;
  private ipv4Start = -1;

  /** Opens `path` (only its metadata is read now). `maxPages` bounds the cache (default 2 MiB). */
  constructor(
    path: string,
    private readonly maxPages = 512,
  ) {
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
    const tailLength = Math.min(this.size, 128 * 1024);
    const tail = this.read(this.size - tailLength, tailLength);
    const at = tail.lastIndexOf(METADATA_MARKER);
    if (at < 0) throw new Error(`${path}: not a MaxMind DB (no metadata marker)`);
    const metaStart = this.size - tailLength + at + METADATA_MARKER.length;
    this.metadata = this.decode(metaStart, metaStart)[0] as unknown as Metadata;
    const { node_count, record_size } = this.metadata;
    if (![24, 28, 32].includes(record_size)) throw new Error(`${path}: unsupported record size ${record_size}`);
    this.nodeBytes = record_size / 4;
    this.dataStart = node_count * this.nodeBytes + DATA_SEPARATOR;
  }

  /** The record for `ip`, or null (not in the database, not an address, IPv6 in an IPv4 database). */
  get(ip: string): MmdbValue | null {
    const bytes = addressBytes(ip);
    if (!bytes) return null;
    if (bytes.length === 16 && this.metadata.ip_version === 4) return null;
    let node = bytes.length === 4 && this.metadata.ip_version === 6 ? this.ipv4StartNode() : 0;
    const { node_count } = this.metadata;
    const bits = bytes.length * 8;
    for (let i = 0; i < bits && node < node_count; i++) {
      const bit = ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1;
      node = this.record(node, bit);
    }
    if (node <= node_count) return null;
    const offset = this.dataStart + (node - node_count - DATA_SEPARATOR);
    return this.decode(offset, this.dataStart)[0];
  }

  close(): void {
    closeSync(this.fd);
    this.pages.clear();
  }

  /** IPv4 addresses live under 96 zero bits (::a.b.c.d) of an IPv6 tree. */
  private ipv4StartNode(): number {
    if (this.ipv4Start < 0) {
      let node = 0;
      for (let i = 0; i < 96 && node < this.metadata.node_count; i++) node = this.record(node, 0);
      this.ipv4Start = node;
    }
    return this.ipv4Start;
  }

  private record(node: number, bit: number): number {
    const b = this.read(node * this.nodeBytes, this.nodeBytes);
    switch (this.metadata.record_size) {
      case 24:
        return bit === 0 ? b.readUIntBE(0, 3) : b.readUIntBE(3, 3);
      case 28:
        return bit === 0
          ? (((b[3] as number) & 0xf0) << 20) | b.readUIntBE(0, 3)
          : (((b[3] as number) & 0x0f) << 24) | b.readUIntBE(4, 3);
      default:
        return bit === 0 ? b.readUInt32BE(0) : b.readUInt32BE(4);
    }
  }

  /** Decodes the value at `offset`; answers it and the offset after it. Pointers are relative to `base`. */
  private decode(offset: number, base: number): [MmdbValue, number] {
    const ctrl = this.byte(offset++);
    let type = ctrl >> 5;
    if (type === 1) {
      const ss = (ctrl >> 3) & 3;
      const v = ctrl & 7;
      const n = ss + 1;
      const p = this.read(offset, n);
      let target: number;
      if (ss === 0) target = (v << 8) | (p[0] as number);
      else if (ss === 1) target = ((v << 16) | p.readUInt16BE(0)) + 2048;
      else if (ss === 2) target = v * 0x1000000 + p.readUIntBE(0, 3) + 526336;
      else target = p.readUInt32BE(0);
      return [this.decode(base + target, base)[0], offset + n];
    }
    if (type === 0) type = 7 + this.byte(offset++);
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const n = size - 28;
      const ext = this.read(offset, n).readUIntBE(0, n);
      offset += n;
      size = size === 29 ? 29 + ext : size === 30 ? 285 + ext : 65821 + ext;
    }
    switch (type) {
      case 2:
        return [this.read(offset, size).toString("utf8"), offset + size];
      case 3:
        return [this.read(offset, 8).readDoubleBE(0), offset + 8];
      case 4:
        return [Buffer.from(this.read(offset, size)), offset + size];
      case 5:
      case 6:
        return [size === 0 ? 0 : this.read(offset, size).readUIntBE(0, size), offset + size];
      case 8:
        return [size === 0 ? 0 : this.read(offset, size).readIntBE(0, size), offset + size];
      case 9:
      case 10: {
        let n = 0n;
        for (const x of this.read(offset, size)) n = (n << 8n) | BigInt(x);
        return [n, offset + size];
      }
      case 7: {
        const map: { [key: string]: MmdbValue } = {};
        for (let i = 0; i < size; i++) {
          const [key, afterKey] = this.decode(offset, base);
          const [value, afterValue] = this.decode(afterKey, base);
          map[String(key)] = value;
          offset = afterValue;
        }
        return [map, offset];
      }
      case 11: {
        const list: MmdbValue[] = [];
        for (let i = 0; i < size; i++) {
          const [value, after] = this.decode(offset, base);
          list.push(value);
          offset = after;
        }
        return [list, offset];
      }
      case 14:
        return [size !== 0, offset];
      case 15:
        return [this.read(offset, 4).readFloatBE(0), offset + 4];
      default:
        throw new Error(`MaxMind DB: unsupported data type ${type} at ${offset}`);
    }
  }

  private byte(offset: number): number {
    return this.read(offset, 1)[0] as number;
  }

  /** `length` bytes at `offset`, from cached pages (a copy only when they span two pages). */
  private read(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.size) throw new Error(`MaxMind DB: read beyond the file at ${offset}`);
    const first = Math.floor(offset / PAGE);
    const last = Math.floor((offset + length - 1) / PAGE);
    if (first === last) return this.page(first).subarray(offset - first * PAGE, offset - first * PAGE + length);
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    for (let p = first; p <= last; p++) {
      const page = this.page(p);
      const from = p === first ? offset - first * PAGE : 0;
      written += page.copy(out, written, from, Math.min(page.length, from + length - written));
    }
    return out;
  }

  private page(index: number): Buffer {
    const cached = this.pages.get(index);
    if (cached) {
      // Most recently used last: the Map's insertion order is the LRU order.
      this.pages.delete(index);
      this.pages.set(index, cached);
      return cached;
    }
    const page = Buffer.allocUnsafe(Math.min(PAGE, this.size - index * PAGE));
    readSync(this.fd, page, 0, page.length, index * PAGE);
    this.pages.set(index, page);
    if (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
    return page;
  }
}

/** The address as 4 or 16 bytes, or null. */
function addressBytes(ip: string): Uint8Array | null {
  const family = isIP(ip);
  if (family === 4) return Uint8Array.from(ip.split(".").map(Number));
  if (family !== 6) return null;
  let text = ip.split("%")[0] as string;
  if (text.includes(".")) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes its two hex groups.
    const at = text.lastIndexOf(":");
    const [a = 0, b = 0, c = 0, d = 0] = text
      .slice(at + 1)
      .split(".")
      .map(Number);
    text = `${text.slice(0, at + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const parse = (s: string) => (s ? s.split(":").map((h) => Number.parseInt(h, 16)) : []);
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
