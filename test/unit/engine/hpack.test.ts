import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeHeaderBlock, HpackDecoder, HpackError, huffmanDecode } from '../../../src/engine/worker/hpack.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from '../../../src/engine/worker/hpack-tables.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeAll(decoder: HpackDecoder, block: Buffer): [string, string][] {
  const fields: [string, string][] = [];
  decoder.decode(block, 0, block.length, (n, v) => fields.push([n, v]));
  return fields;
}

/** A Huffman encoder from the same table, to check the decoder on every octet. */
function huffmanEncode(bytes: Buffer): Buffer {
  let bits = 0n;
  let n = 0;
  for (const b of bytes) {
    bits = (bits << BigInt(HUFFMAN_LENGTHS[b]!)) | BigInt(HUFFMAN_CODES[b]!);
    n += HUFFMAN_LENGTHS[b]!;
  }
  const pad = (8 - (n % 8)) % 8;
  bits = (bits << BigInt(pad)) | ((1n << BigInt(pad)) - 1n);
  n += pad;
  const out = Buffer.alloc(n / 8);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return out;
}

describe('HPACK decoder: RFC 7541 appendix C', () => {
  test('C.4: three requests with Huffman strings, sharing one dynamic table', () => {
    const d = new HpackDecoder();
    assert.deepEqual(decodeAll(d, hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    assert.deepEqual(decodeAll(d, hex('8286 84be 5886 a8eb 1064 9cbf')), [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    assert.deepEqual(decodeAll(d, hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')), [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  test('C.6: three responses in a 256-octet table, with evictions', () => {
    const d = new HpackDecoder();
    // The example's table is 256 octets: a size update first, as a server whose SETTINGS said so would send.
    assert.deepEqual(
      decodeAll(
        d,
        hex('3fe101 4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3'),
      ),
      [
        [':status', '302'],
        ['cache-control', 'private'],
        ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
        ['location', 'https://www.example.com'],
      ],
    );
    assert.deepEqual(decodeAll(d, hex('4883 640e ffc1 c0bf')), [
      [':status', '307'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['location', 'https://www.example.com'],
    ]);
    assert.deepEqual(
      decodeAll(
        d,
        hex(
          '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
        ),
      ),
      [
        [':status', '200'],
        ['cache-control', 'private'],
        ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
        ['location', 'https://www.example.com'],
        ['content-encoding', 'gzip'],
        ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
      ],
    );
    // After the third response the table holds exactly three entries (RFC 7541 C.6.3): 62–64, nothing at 65.
    assert.deepEqual(decodeAll(d, hex('bf c0')), [
      ['content-encoding', 'gzip'],
      ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ]);
    assert.throws(() => decodeAll(d, hex('c1')), HpackError);
  });
});

describe('HPACK Huffman strings', () => {
  test('every octet decodes to itself, alone and in a run of all 256', () => {
    for (let b = 0; b < 256; b++)
      assert.equal(huffmanDecode(huffmanEncode(Buffer.from([b])), 0, huffmanEncode(Buffer.from([b])).length), String.fromCharCode(b));
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const encoded = huffmanEncode(all);
    assert.equal(huffmanDecode(encoded, 0, encoded.length), all.toString('latin1'));
  });

  test('EOS, padding longer than 7 bits, and padding that is not all ones are refused', () => {
    assert.throws(() => huffmanDecode(hex('ffffffff'), 0, 4), /EOS/);
    const a = huffmanEncode(Buffer.from('a')); // 5 bits of code, 3 of padding
    assert.throws(() => huffmanDecode(Buffer.from([a[0]!, 0xff]), 0, 2), /padding/);
    assert.throws(() => huffmanDecode(Buffer.from([a[0]! & 0xf8]), 0, 1), /padding/);
  });
});

describe('HPACK encoder and hostile blocks', () => {
  test('a request block round-trips; static entries are indexed and nothing enters the table', () => {
    const fields: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':authority', 'shop.example:8443'],
      [':path', '/cart?id=7'],
      ['accept', 'application/json'],
      ['x-token', 'é and bytes'],
    ];
    const block = encodeHeaderBlock(fields);
    assert.equal(block[0], 0x82); // :method GET, indexed
    assert.equal(block[1], 0x87); // :scheme https, indexed
    const d = new HpackDecoder();
    assert.deepEqual(decodeAll(d, block), fields);
    // Never indexed by the server: the same block decodes the same on any connection, any number of times.
    assert.deepEqual(decodeAll(d, block), fields);
    const long = encodeHeaderBlock([['x-long', 'v'.repeat(300)]]);
    assert.deepEqual(decodeAll(new HpackDecoder(), long), [['x-long', 'v'.repeat(300)]]);
  });

  test('malformed blocks throw HpackError, never read out of bounds', () => {
    const bad = [
      '80', // index 0
      'ff00', // index 127 + 0, beyond an empty table
      '3fe21f', // a table size update to 4,097: over the 4,096 we allow
      '82 20', // a size update after a field
      '40 85 61', // a name string longer than the block
      '0f', // an integer cut short
      '7fffffffffff0f', // an integer over 2^31
    ];
    for (const h of bad) assert.throws(() => decodeAll(new HpackDecoder(), hex(h)), HpackError, h);
  });

  test('an integer padded with zero continuation octets is refused: it once decoded as NaN and lifted the table bound', () => {
    // 0 × 2^shift becomes 0 × Infinity = NaN past 1,024 bits: NaN passed every size check and the table never evicted.
    const nanSize = Buffer.concat([hex('3f'), Buffer.alloc(200, 0x80), hex('00')]);
    assert.throws(() => decodeAll(new HpackDecoder(), nanSize), HpackError);
    const nanIndex = Buffer.concat([hex('ff'), Buffer.alloc(200, 0x80), hex('00')]);
    assert.throws(() => decodeAll(new HpackDecoder(), nanIndex), HpackError);
    // Five continuation octets carry any value up to 2^31; a sixth is refused even when it adds nothing.
    assert.throws(() => decodeAll(new HpackDecoder(), hex('3f 80 80 80 80 80 00')), HpackError);
    assert.deepEqual(decodeAll(new HpackDecoder(), hex('3f e1 1f 88')), [[':status', '200']]); // a size update to 4,096, then a field
  });

  test('the dynamic table stays within the 4,096 octets it may hold, whatever the server inserts', () => {
    const d = new HpackDecoder();
    const insert = (i: number): Buffer => Buffer.concat([hex('40 05'), Buffer.from(`x-${String(i).padStart(3, '0')}`), hex('7f 49'), Buffer.alloc(200, 0x61)]);
    for (let i = 0; i < 1000; i++) decodeAll(d, insert(i));
    // Entries are 5 + 200 + 32 octets: 17 fit; the newest is at 62, the 18th newest is gone.
    assert.deepEqual(decodeAll(d, hex('be'))[0]![0], 'x-999');
    assert.deepEqual(decodeAll(d, hex('ce'))[0]![0], 'x-983');
    assert.throws(() => decodeAll(d, hex('cf')), HpackError);
  });
});
