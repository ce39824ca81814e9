// Unit tests for the C number parsers; expected values come from glibc (x86_64).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { atoi, atol, atof, doubleToInt, strtol } from '../../src/options/c-numbers.js'

const atoiCases: Array<[string, number]> = [
  ['1883', 1883],
  ['', 0],
  ['x', 0],
  ['1x', 1],
  ['abc', 0],
  ['  \t\n\v\f\r42', 42],
  ['+7', 7],
  ['-7', -7],
  ['- 7', 0],
  ['+-7', 0],
  ['007', 7],
  ['0x10', 0],
  ['1.9', 1],
  ['1e3', 1],
  ['\u00a05', 0],
  ['2147483647', 2147483647],
  ['2147483648', -2147483648],
  // mosquitto: glibc atoi is (int)strtol, so big values wrap (-p 4294967297 connects to port 1)
  ['4294967297', 1],
  ['4294967298', 2],
  ['9999999999999999999', -1],
  ['-9999999999999999999', 0],
]

for (const [input, expected] of atoiCases) {
  test(`atoi(${JSON.stringify(input)}) = ${expected}`, () => {
    assert.equal(atoi(input), expected)
    assert.equal(atoi(Buffer.from(input, 'latin1')), expected)
  })
}

const atolCases: Array<[string, bigint]> = [
  ['4294967295', 4294967295n],
  ['4294967296', 4294967296n],
  ['-1', -1n],
  ['x', 0n],
  ['12abc', 12n],
  ['99999999999999999999', 9223372036854775807n],
  ['-99999999999999999999', -9223372036854775808n],
]

for (const [input, expected] of atolCases) {
  test(`atol(${JSON.stringify(input)}) = ${expected}`, () => {
    assert.equal(atol(input), expected)
  })
}

const strtolCases: Array<[string, number, bigint, number]> = [
  ['0x10', 0, 16n, 4],
  ['010', 0, 8n, 3],
  ['10', 0, 10n, 2],
  ['089', 0, 0n, 1],
  ['0x', 0, 0n, 1],
  ['0xg', 16, 0n, 1],
  ['  -12z', 10, -12n, 5],
  ['', 0, 0n, 0],
  [' +', 0, 0n, 0],
  ['∞', 0, 0n, 0],
  ['ff', 16, 255n, 2],
  ['0XFF', 16, 255n, 4],
  ['99999999999999999999', 10, 9223372036854775807n, 20],
]

for (const [input, base, value, end] of strtolCases) {
  test(`strtol(${JSON.stringify(input)}, ${base})`, () => {
    assert.deepEqual(strtol(Buffer.from(input), base), { value, end })
  })
}

const atofCases: Array<[string, number]> = [
  ['0.5', 0.5],
  ['1', 1],
  ['', 0],
  ['abc', 0],
  ['.5', 0.5],
  ['5.', 5],
  ['.', 0],
  ['  -2.25xyz', -2.25],
  ['+3', 3],
  ['1e3', 1000],
  ['1E-2', 0.01],
  ['1e', 1],
  ['1e+', 1],
  ['2.5e+1s', 25],
  ['100.01', 100.01],
  ['1e400', Infinity],
  ['-1e400', -Infinity],
  ['1e-400', 0],
  ['inf', Infinity],
  ['-Infinity', -Infinity],
  ['INFx', Infinity],
  ['0x10', 16],
  ['0x1p4', 16],
  ['0x1.8', 1.5],
  ['0X.8p1', 1],
  ['0x1p', 1],
  ['0x', 0],
  ['0xg', 0],
  ['-0', -0],
]

for (const [input, expected] of atofCases) {
  test(`atof(${JSON.stringify(input)}) = ${expected}`, () => {
    assert.ok(Object.is(atof(input), expected), `got ${atof(input)}`)
  })
}

test('atof: nan', () => {
  assert.ok(Number.isNaN(atof('nan')))
  assert.ok(Number.isNaN(atof('-NaN(abc_1)')))
})

test('doubleToInt casts as x86-64 does: toward zero, INT_MIN for NaN and out of range', () => {
  assert.equal(doubleToInt(1000.9), 1000)
  assert.equal(doubleToInt(-0.9), 0)
  assert.equal(doubleToInt(2147483647.9), 2147483647)
  assert.equal(doubleToInt(-2147483648.9), -2147483648)
  assert.equal(doubleToInt(2147483648), -2147483648)
  assert.equal(doubleToInt(-2147483649), -2147483648)
  assert.equal(doubleToInt(Infinity), -2147483648)
  assert.equal(doubleToInt(NaN), -2147483648)
})
