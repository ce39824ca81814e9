// The hidden prompt's line editing, key by key.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cookTypedAhead, HiddenLine, type KeyOutcome } from '../../src/cli/hidden-line.js'

function typeKeys(keys: string): { outcome: KeyOutcome, value: string } {
  const line = new HiddenLine()
  let outcome: KeyOutcome = 'more'
  for (const byte of Buffer.from(keys, 'latin1')) {
    outcome = line.feed(byte)
    if (outcome !== 'more') break
  }
  return { outcome, value: line.value().toString('latin1') }
}

test('Enter (CR or LF) ends the line; other bytes, tabs and escapes included, are kept', () => {
  assert.deepEqual(typeKeys('pa ss\tw\x1b[A\r'), { outcome: 'enter', value: 'pa ss\tw\x1b[A' })
  assert.deepEqual(typeKeys('x\n'), { outcome: 'enter', value: 'x' })
})

test('Backspace (DEL or ^H) erases one character, a whole UTF-8 one; on an empty line nothing', () => {
  assert.equal(typeKeys('abc\x7f\x08d\r').value, 'ad')
  assert.equal(typeKeys(`a${Buffer.from('é€', 'utf8').toString('latin1')}\x7f\r`).value, `a${Buffer.from('é', 'utf8').toString('latin1')}`)
  assert.equal(typeKeys('\x7f\x7fz\r').value, 'z')
})

test('Ctrl-U clears the line, Ctrl-W erases the last word and the blanks after it, Ctrl-V takes the next key as is', () => {
  assert.equal(typeKeys('wrong\x15right\r').value, 'right')
  assert.equal(typeKeys('one two  \x17three\r').value, 'one three')
  assert.equal(typeKeys('a\x16\x03\x16\x7fb\r').value, 'a\x03\x7fb')
})

test('Ctrl-C interrupts; Ctrl-D ends an empty line only; Ctrl-Z suspends', () => {
  assert.equal(typeKeys('abc\x03').outcome, 'interrupt')
  assert.equal(typeKeys('\x04').outcome, 'eof')
  assert.deepEqual(typeKeys('ab\x04c\r'), { outcome: 'enter', value: 'abc' })
  assert.equal(typeKeys('ab\x15\x04').outcome, 'eof')
  assert.equal(typeKeys('a\x1a').outcome, 'suspend')
})

test('keys typed ahead become lines as a terminal gives them; a Ctrl-C among them interrupts', () => {
  assert.equal(cookTypedAhead(Buffer.from('one\rtwX\x7fo\npart')).toString(), 'one\ntwo\npart')
  assert.equal(cookTypedAhead(Buffer.from('a\x04\x1a\r')).toString(), 'a\n')
  assert.equal(cookTypedAhead(Buffer.from('a\r\x03')), 'interrupt')
  assert.equal(cookTypedAhead(Buffer.alloc(0)).length, 0)
})
