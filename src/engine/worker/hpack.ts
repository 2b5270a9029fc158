/**
 * HPACK (RFC 7541) for the load generator's HTTP/2 client. The decoder keeps the dynamic table a server
 * builds on a connection and decodes Huffman strings with a 4-bit state machine; the encoder writes each
 * request field as a literal that is never added to the server's table (or as a static-table index), so an
 * encoded request does not depend on the connection it goes out on and can be built once and reused.
 * Everything a hostile server sends is bounded: table size, integer size, string length.
 */
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, STATIC_TABLE } from './hpack-tables.js';

export class HpackError extends Error {}

/** The dynamic table size golive's decoder allows (SETTINGS_HEADER_TABLE_SIZE: the protocol's default). */
const DECODER_TABLE_SIZE = 4096;
/** An entry's size counts 32 octets of overhead beside its name and value (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;
const STATIC_COUNT = STATIC_TABLE.length;

/** Called for each decoded field, in order. Names arrive in lower case (HTTP/2 requires it). */
export type OnField = (name: string, value: string) => void;

export class HpackDecoder {
  /** Newest last. */
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private size = 0;
  private maxSize = DECODER_TABLE_SIZE;

  /** Decodes one complete header block (`block[start, end)`); throws HpackError when it is malformed. */
  decode(block: Buffer, start: number, end: number, onField: OnField): void {
    const cursor = { pos: start };
    let fieldsSeen = false;
    while (cursor.pos < end) {
      const b = block[cursor.pos]!;
      if (b & 0x80) {
        const index = readInteger(block, cursor, end, 7);
        onField(this.name(index), this.value(index));
      } else if (b & 0x40) {
        const [name, value] = this.literal(block, cursor, end, 6);
        this.insert(name, value);
        onField(name, value);
      } else if (b & 0x20) {
        // A size update may only begin a block, and never above what we allowed (RFC 7541 §4.2: a COMPRESSION_ERROR).
        if (fieldsSeen) throw new HpackError('dynamic table size update after a header field');
        const size = readInteger(block, cursor, end, 5);
        if (!(size <= DECODER_TABLE_SIZE)) throw new HpackError(`dynamic table size ${size} over ${DECODER_TABLE_SIZE}`);
        this.maxSize = size;
        this.evict(0);
        continue;
      } else {
        const [name, value] = this.literal(block, cursor, end, 4);
        onField(name, value);
      }
      fieldsSeen = true;
    }
  }

  private literal(block: Buffer, cursor: { pos: number }, end: number, prefix: number): [string, string] {
    const index = readInteger(block, cursor, end, prefix);
    const name = index === 0 ? readString(block, cursor, end) : this.name(index);
    return [name, readString(block, cursor, end)];
  }

  private name(index: number): string {
    if (index === 0) throw new HpackError('index 0');
    if (index <= STATIC_COUNT) return STATIC_TABLE[index - 1]![0];
    const i = this.names.length - 1 - (index - STATIC_COUNT - 1);
    if (i < 0) throw new HpackError(`index ${index} beyond the table`);
    return this.names[i]!;
  }

  private value(index: number): string {
    if (index <= STATIC_COUNT) return STATIC_TABLE[index - 1]![1];
    return this.values[this.values.length - 1 - (index - STATIC_COUNT - 1)]!;
  }

  private insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.evict(size);
    // An entry larger than the table empties it and is not added (RFC 7541 §4.4).
    if (size > this.maxSize) return;
    this.names.push(name);
    this.values.push(value);
    this.size += size;
  }

  /** Evicts the oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    let drop = 0;
    while (this.size + room > this.maxSize && drop < this.names.length) {
      this.size -= this.names[drop]!.length + this.values[drop]!.length + ENTRY_OVERHEAD;
      drop++;
    }
    if (drop > 0) {
      this.names.splice(0, drop);
      this.values.splice(0, drop);
    }
  }
}

/** Integers over this are refused: nothing in a header block is that large. */
const MAX_INTEGER = 0x7fffffff;
/** Continuation octets that can carry MAX_INTEGER: more are refused even if they add nothing (0 × 2^1100 is NaN). */
const MAX_INTEGER_OCTETS = 5;

function readInteger(block: Buffer, cursor: { pos: number }, end: number, prefix: number): number {
  const mask = (1 << prefix) - 1;
  let value = block[cursor.pos++]! & mask;
  if (value < mask) return value;
  for (let shift = 0; shift < 7 * MAX_INTEGER_OCTETS; shift += 7) {
    if (cursor.pos >= end) throw new HpackError('truncated integer');
    const b = block[cursor.pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (value > MAX_INTEGER) throw new HpackError('integer too large');
    if ((b & 0x80) === 0) return value;
  }
  throw new HpackError(`integer longer than ${MAX_INTEGER_OCTETS} continuation octets`);
}

function readString(block: Buffer, cursor: { pos: number }, end: number): string {
  if (cursor.pos >= end) throw new HpackError('truncated string');
  const huffman = (block[cursor.pos]! & 0x80) !== 0;
  const length = readInteger(block, cursor, end, 7);
  const from = cursor.pos;
  if (from + length > end) throw new HpackError('string beyond the block');
  cursor.pos = from + length;
  return huffman ? huffmanDecode(block, from, from + length) : block.toString('latin1', from, from + length);
}

/**
 * The Huffman decoder as a state machine over 4-bit nibbles (as nghttp2 does): a state is an inner node of
 * the code tree; each nibble moves to the next node and emits at most one octet (the shortest code is 5 bits).
 * Built once from the code table.
 */
const EOS = 256;
const NONE = -1;
const FAIL = -2;
/** next node per (state, nibble); the octet emitted (NONE, or FAIL: EOS or no such code). */
const nextState = new Int16Array(256 * 16);
const emitted = new Int16Array(256 * 16);
/** Whether a string may end in this state: at the root, or after at most 7 padding bits that are all ones. */
const mayEnd = new Uint8Array(256);

(function buildHuffmanMachine(): void {
  // The tree: inner nodes 0..255 (0 is the root); children as node ids, or ~symbol for a leaf.
  const left = new Int32Array(256).fill(0);
  const right = new Int32Array(256).fill(0);
  const depth = new Uint8Array(256);
  const allOnes = new Uint8Array(256);
  allOnes[0] = 1;
  let nodes = 1;
  const codes = [...HUFFMAN_CODES, 0x3fffffff];
  const lengths = [...HUFFMAN_LENGTHS, 30];
  for (let sym = 0; sym <= EOS; sym++) {
    let node = 0;
    for (let bit = lengths[sym]! - 1; bit >= 0; bit--) {
      const one = (codes[sym]! >>> bit) & 1;
      const children = one ? right : left;
      if (bit === 0) children[node] = ~sym;
      else {
        if (children[node] === 0) {
          depth[nodes] = depth[node]! + 1;
          allOnes[nodes] = allOnes[node]! && one ? 1 : 0;
          children[node] = nodes++;
        }
        node = children[node]!;
      }
    }
  }
  for (let state = 0; state < nodes; state++) {
    mayEnd[state] = state === 0 || (allOnes[state] && depth[state]! <= 7) ? 1 : 0;
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let out = NONE;
      for (let bit = 3; bit >= 0; bit--) {
        const child = ((nibble >> bit) & 1 ? right : left)[node]!;
        if (child < 0) {
          const sym = ~child;
          out = sym === EOS ? FAIL : sym;
          node = 0;
          if (out === FAIL) break;
        } else node = child;
      }
      nextState[state * 16 + nibble] = node;
      emitted[state * 16 + nibble] = out;
    }
  }
})();

const decodeBuffer = Buffer.allocUnsafe(64 * 1024);

export function huffmanDecode(block: Buffer, from: number, to: number): string {
  // A Huffman string decodes to at most 8/5 of its length: bounded by the block, itself bounded.
  const out = (to - from) * 2 <= decodeBuffer.length ? decodeBuffer : Buffer.allocUnsafe((to - from) * 2);
  let n = 0;
  let state = 0;
  for (let i = from; i < to; i++) {
    const byte = block[i]!;
    let k = state * 16 + (byte >> 4);
    let sym = emitted[k]!;
    if (sym >= 0) out[n++] = sym;
    else if (sym === FAIL) throw new HpackError('EOS or an invalid code in a Huffman string');
    k = nextState[k]! * 16 + (byte & 15);
    sym = emitted[k]!;
    if (sym >= 0) out[n++] = sym;
    else if (sym === FAIL) throw new HpackError('EOS or an invalid code in a Huffman string');
    state = nextState[k]!;
  }
  if (!mayEnd[state]) throw new HpackError('bad padding at the end of a Huffman string');
  return out.toString('latin1', 0, n);
}

/**
 * Encodes request fields (names in lower case) as one header block: a static entry whose name and value
 * match is indexed; every other field is a literal never added to the table, its name indexed when the
 * static table has it. No Huffman: loopback bytes are cheaper than the CPU to squeeze them.
 */
export function encodeHeaderBlock(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: number[] = [];
  for (const [name, value] of fields) {
    const full = STATIC_FULL.get(`${name}\0${value}`);
    if (full !== undefined) {
      writeInteger(parts, full, 7, 0x80);
      continue;
    }
    const nameIndex = STATIC_NAME.get(name);
    if (nameIndex !== undefined) writeInteger(parts, nameIndex, 4, 0x00);
    else {
      parts.push(0x00);
      writeString(parts, name);
    }
    writeString(parts, value);
  }
  return Buffer.from(parts);
}

const STATIC_FULL = new Map(STATIC_TABLE.map(([n, v], i) => [`${n}\0${v}`, i + 1]));
const STATIC_NAME = new Map<string, number>();
STATIC_TABLE.forEach(([n], i) => {
  if (!STATIC_NAME.has(n)) STATIC_NAME.set(n, i + 1);
});

function writeInteger(out: number[], value: number, prefix: number, flags: number): void {
  const max = (1 << prefix) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

function writeString(out: number[], s: string): void {
  const bytes = Buffer.from(s, 'latin1');
  writeInteger(out, bytes.length, 7, 0x00);
  for (const b of bytes) out.push(b);
}
