// Unit tests for the options file (contract §5); the edge cases were checked against mosquitto_pub/sub 2.0.11.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configFilePath, configFileLines, configFileTokens, readConfigFile } from '../../src/options/config-file.js'

const pathCases: Array<[string, NodeJS.ProcessEnv, string | undefined]> = [
  ['XDG_CONFIG_HOME wins over HOME', { XDG_CONFIG_HOME: '/x', HOME: '/h' }, '/x/tspub'],
  ['HOME alone', { HOME: '/h' }, '/h/.config/tspub'],
  ['neither set', {}, undefined],
  ['empty XDG_CONFIG_HOME still counts as set', { XDG_CONFIG_HOME: '', HOME: '/h' }, '/tspub'],
  ['empty HOME', { HOME: '' }, '/.config/tspub'],
  ['trailing slash is concatenated as is', { XDG_CONFIG_HOME: '/x/' }, '/x//tspub'],
]

for (const [name, env, expected] of pathCases) {
  test(`configFilePath: ${name}`, () => {
    assert.equal(configFilePath('tspub', env), expected)
  })
}

test('configFilePath: uses the tool name', () => {
  assert.equal(configFilePath('tssub', { HOME: '/h' }), '/h/.config/tssub')
})

const chunk = (n: number, c = 'a'): string => c.repeat(n)

// content → the words of each line, as mosquitto_pub 2.0.11 hands them to its option parser
const lineCases: Array<[string, string, string[][]]> = [
  ['one option and value', '-t a/b\n', [['-t', 'a/b']]],
  ['value keeps its spaces (contract: -m hello world)', '-m hello world\n', [['-m', 'hello world']]],
  ['-q 1 -r keeps "-r" in the value', '-q 1 -r\n', [['-q', '1 -r']]],
  ['two flags', '-d -v\n', [['-d', '-v']]],
  ['lone option', '-t\n', [['-t']]],
  ['token then a single space is a lone word', '-t \n', [['-t']]],
  ['token then two spaces gives a one-space value', '-t  \n', [['-t', ' ']]],
  ['two spaces after the option stay in the value', '-t  two-spaces\n', [['-t', ' two-spaces']]],
  ['trailing space kept', '-t topic \n', [['-t', 'topic ']]],
  ['leading spaces skipped', '   -z  x\n', [['-z', ' x']]],
  ['a line of spaces is blank', '   \n-v\n', [['-v']]],
  ['tabs are part of words', 'foo\tbar\n\t-z\n', [['foo\tbar'], ['\t-z']]],
  ['comment', '#c\n-v\n', [['-v']]],
  ['indented # is not a comment', ' #c\n', [['#c']]],
  ['blank lines', '\n\n-v\n', [['-v']]],
  ['CRLF', '-t a\r\n', [['-t', 'a']]],
  ['several trailing CRs', '-t a\r\r\n', [['-t', 'a']]],
  ['CR before a space is kept', '-t a\r \n', [['-t', 'a\r ']]],
  ['a lone CR line is blank', '-t a\n\r', [['-t', 'a']]],
  ['last line without newline', '-v\n-t a', [['-v'], ['-t', 'a']]],
  ['NUL ends the line', '-t a\0b\n', [['-t', 'a']]],
  ['line starting with NUL is blank', '\0-z\n-y\n', [['-y']]],
  ['1023-byte line (with newline) is one line', `-t ${chunk(1019)}\n`, [['-t', chunk(1019)]]],
  ['1024-byte line: the newline alone is left over', `-t ${chunk(1020)}\n-y\n`, [['-t', chunk(1020)], ['-y']]],
  ['over-long line continues as a new line', `-t ${chunk(1020)}-y c\n`, [['-t', chunk(1020)], ['-y', 'c']]],
  ['continuation starting with # is a comment', `-t ${chunk(1020)}#c\n-y\n`, [['-t', chunk(1020)], ['-y']]],
  ['continuation of spaces only is blank', `-t ${chunk(1020)} \n-y\n`, [['-t', chunk(1020)], ['-y']]],
  ['CR split from its line is stripped', `-t ${chunk(1019)}\r\n-y\n`, [['-t', chunk(1019)], ['-y']]],
  ['a 2049-byte line is three lines', `-t ${chunk(2043)}-y\n`, [['-t', chunk(1020)], [chunk(1023)], ['-y']]],
]

for (const [name, content, expected] of lineCases) {
  test(`configFileLines: ${name}`, () => {
    const got = configFileLines(Buffer.from(content, 'latin1')).map((ws) => ws.map((w) => w.toString('latin1')))
    assert.deepEqual(got, expected)
  })
}

test('configFileLines: bytes are kept raw', () => {
  const got = configFileLines(Buffer.from([0x2d, 0x74, 0x20, 0xff, 0xfe, 0x0a]))
  assert.deepEqual(got, [[Buffer.from('-t'), Buffer.from([0xff, 0xfe])]])
})

test('configFileTokens: the lines flattened', () => {
  const got = configFileTokens(Buffer.from('-q 1 -r\n#x\n-d -v\n-t\n')).map((w) => w.toString())
  assert.deepEqual(got, ['-q', '1 -r', '-d', '-v', '-t'])
})

test('readConfigFile: reads a file, skips missing files and directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tspub-cfg-'))
  try {
    writeFileSync(join(dir, 'tspub'), '-t a\n')
    mkdirSync(join(dir, 'tssub'))
    assert.deepEqual(readConfigFile(join(dir, 'tspub')), Buffer.from('-t a\n'))
    assert.equal(readConfigFile(join(dir, 'missing')), undefined)
    assert.equal(readConfigFile(join(dir, 'tssub')), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
