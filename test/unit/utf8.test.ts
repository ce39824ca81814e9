// Unit tests for validateUtf8 (contract §4.1); cases were checked against libmosquitto 2.0.11.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateUtf8 } from '../../src/core/utf8.js'

const hex = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex')

const cases: Array<[string, Buffer, boolean]> = [
  ['empty', Buffer.alloc(0), true],
  ['plain ASCII topic', Buffer.from('sensors/kitchen/temp'), true],
  ['space and tilde', Buffer.from(' ~'), true],
  ['$SYS topic', Buffer.from('$SYS/broker/uptime'), true],
  ['two-byte é', hex('c3 a9'), true],
  ['three-byte €', hex('e2 82 ac'), true],
  ['four-byte emoji', hex('f0 9f 98 80'), true],
  ['U+00A0 (first after C1)', hex('c2 a0'), true],
  ['U+FFFD replacement char', hex('ef bf bd'), true],
  ['U+10FFFD', hex('f4 8f bf bd'), true],
  ['U+FDCF just below non-characters', hex('ef b7 8f'), true],
  ['U+FDF0 just above non-characters', hex('ef b7 b0'), true],
  ['NUL', hex('61 00 62'), false],
  ['U+0001 control (contract example a\\x01b)', hex('61 01 62'), false],
  ['tab', Buffer.from('a\tb'), false],
  ['CR', Buffer.from('a\r'), false],
  ['U+001F', hex('1f'), false],
  ['DEL U+007F', hex('7f'), false],
  ['C1 U+0080', hex('c2 80'), false],
  ['C1 U+009F', hex('c2 9f'), false],
  ['overlong C0', hex('c0 af'), false],
  ['overlong C1', hex('c1 bf'), false],
  ['overlong 3-byte', hex('e0 80 af'), false],
  ['overlong 4-byte', hex('f0 80 80 af'), false],
  ['surrogate U+D800', hex('ed a0 80'), false],
  ['surrogate U+DFFF', hex('ed bf bf'), false],
  ['above U+10FFFF', hex('f4 90 80 80'), false],
  ['lead byte F5', hex('f5 80 80 80'), false],
  ['lead byte F8', hex('f8 88 80 80 80'), false],
  ['byte FF', hex('ff'), false],
  ['lone continuation', hex('80'), false],
  ['truncated 2-byte', hex('c3'), false],
  ['truncated 3-byte', hex('e2 82'), false],
  ['truncated 4-byte at end', hex('61 f0 9f 98'), false],
  ['bad continuation', hex('e2 28 a1'), false],
  ['non-character U+FDD0', hex('ef b7 90'), false],
  ['non-character U+FDEF', hex('ef b7 af'), false],
  ['non-character U+FFFE', hex('ef bf be'), false],
  ['non-character U+FFFF', hex('ef bf bf'), false],
  ['non-character U+1FFFE', hex('f0 9f bf be'), false],
  ['non-character U+10FFFF', hex('f4 8f bf bf'), false],
  ['Latin-1 byte e9 on its own', hex('63 61 66 e9'), false],
]

for (const [name, bytes, expected] of cases) {
  test(`validateUtf8: ${name}`, () => {
    assert.equal(validateUtf8(bytes), expected)
  })
}

test('validateUtf8: 65536 bytes pass, 65537 fail (length limit)', () => {
  assert.equal(validateUtf8(Buffer.alloc(65536, 'a')), true)
  assert.equal(validateUtf8(Buffer.alloc(65537, 'a')), false)
})

test('validateUtf8: every code point agrees with the rules', () => {
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    const expected =
      !(cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) &&
      !(cp >= 0xfdd0 && cp <= 0xfdef) &&
      (cp & 0xfffe) !== 0xfffe
    if (validateUtf8(Buffer.from(String.fromCodePoint(cp), 'utf8')) !== expected) {
      assert.fail(`U+${cp.toString(16)} should be ${expected ? 'valid' : 'invalid'}`)
    }
  }
})
