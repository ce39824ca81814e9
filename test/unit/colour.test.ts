// When colour is used: FORCE_COLOR decides when set, then NO_COLOR, then "is it a terminal".
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { colourLevel } from '../../src/output/colour.js'

test('colour only on a terminal, and not for TERM=dumb', () => {
  assert.equal(colourLevel(false, {}), 0)
  assert.equal(colourLevel(undefined, {}), 0)
  assert.equal(colourLevel(true, { TERM: 'xterm' }), 1)
  assert.equal(colourLevel(true, { TERM: 'xterm-256color' }), 2)
  assert.equal(colourLevel(true, { TERM: 'xterm', COLORTERM: 'truecolor' }), 3)
  assert.equal(colourLevel(true, { TERM: 'dumb' }), 0)
})

test('NO_COLOR (any non-empty value) turns it off; an empty NO_COLOR does not', () => {
  assert.equal(colourLevel(true, { NO_COLOR: '1', TERM: 'xterm' }), 0)
  assert.equal(colourLevel(true, { NO_COLOR: '', TERM: 'xterm' }), 1)
})

test('FORCE_COLOR decides when set, even on a pipe and over NO_COLOR', () => {
  assert.equal(colourLevel(false, { FORCE_COLOR: '1' }), 1)
  assert.equal(colourLevel(false, { FORCE_COLOR: '3' }), 3)
  assert.equal(colourLevel(false, { FORCE_COLOR: '' }), 1)
  assert.equal(colourLevel(true, { FORCE_COLOR: '0', TERM: 'xterm' }), 0)
  assert.equal(colourLevel(true, { FORCE_COLOR: 'false', TERM: 'xterm' }), 0)
  assert.equal(colourLevel(false, { FORCE_COLOR: '2', NO_COLOR: '1' }), 2)
})
