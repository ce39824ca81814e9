// tsrr's pure parts: its options (mosquitto_rr's defaults and checks), the request it builds, which
// message is its answer, the subscription options byte, and the --latency line.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildRequest, isAnswer, newCorrelationData } from '../../src/cli/rr-request.js'
import { subscriptionOptions } from '../../src/cli/subscription-options.js'
import { UsageError } from '../../src/core/errors.js'
import type { ReceivedMessage } from '../../src/core/message.js'
import { parseCommandLine } from '../../src/options/parse.js'
import type { Options } from '../../src/options/types.js'
import { latencyText } from '../../src/output/latency.js'

const NO_CONFIG = { XDG_CONFIG_HOME: '/nonexistent-tsmqtt-test' }
const BASE = ['-t', 'req', '-e', 'resp', '-m', 'x']

function parse(args: string[]): Options {
  const r = parseCommandLine('rr', args, NO_CONFIG)
  assert.equal(r.kind, 'run')
  return (r as { options: Options }).options
}

function parseError(args: string[]): string {
  try {
    parseCommandLine('rr', args, NO_CONFIG)
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${err}`)
    return err.text.toString('latin1')
  }
  assert.fail(`no error for ${args.join(' ')}`)
}

const message = (props?: ReceivedMessage['properties']): ReceivedMessage =>
  ({ topic: Buffer.from('resp'), payload: Buffer.from('a'), qos: 0, retain: false, mid: 0, ...(props ? { properties: props } : {}) })

test('mosquitto_rr\'s defaults: MQTT v5, one message (receive maximum 1), strict correlation', () => {
  const o = parse(BASE)
  assert.equal(o.protocolVersion, 5)
  assert.equal(o.count, 1)
  assert.equal(o.correlation, 'strict')
  assert.deepEqual(o.responseTopic, Buffer.from('resp'))
  assert.equal(parse([...BASE, '-V', '311']).protocolVersion, 4)
  // --latency turns Nagle's algorithm off, as in mosquitto 2.1
  assert.equal(parse([...BASE, '--latency']).nodelay, true)
})

test('-e is checked as a publish topic; the last -e wins', () => {
  assert.equal(parseError(['-t', 'req', '-e', 'a/+', '-m', 'x']), "Error: Invalid response topic 'a/+', does it contain '+' or '#'?\n")
  assert.equal(parseError(['-t', 'req', '-e', Buffer.from([0xff]).toString('latin1'), '-m', 'x']), 'Error: Malformed UTF-8 in -e argument.\n\n')
  assert.equal(parseError(['-e']), 'Error: -e argument given but no response topic specified.\n\n')
  assert.deepEqual(parse([...BASE, '-e', 'other']).responseTopic, Buffer.from('other'))
  // -t is a publish topic for tsrr, as for tspub
  assert.equal(parseError(['-t', 'a/#']), "Error: Invalid publish topic 'a/#', does it contain '+' or '#'?\n")
})

test('options of the other tools are unknown to tsrr; --correlation and --retain-handling take their words only', () => {
  for (const o of ['-l', '-r', '--repeat', '-C', '-E', '-T', '-U', '--retained-only', '--remove-retained', '--random-filter']) {
    assert.equal(parseError([...BASE, o, '1']), `Error: Unknown option '${o}'.\n`)
  }
  assert.equal(parseError([...BASE, '--correlation', 'loose']), "Error: Unknown value 'loose' for --correlation.\n\n")
  assert.equal(parseError([...BASE, '--retain-handling', 'sometimes']), "Error: Unknown value 'sometimes' for --retain-handling.\n\n")
  assert.equal(parseError([...BASE, '--retain-handling']), 'Error: --retain-handling argument given but no option specified.\n\n')
  assert.equal(parse([...BASE, '--correlation', 'off']).correlation, 'off')
})

test('the subscription options byte: -R asks for no retained messages, --retain-handling decides when given; 0 in MQTT v3', () => {
  const bits = (args: string[]): number => subscriptionOptions(parse([...BASE, ...args]))
  assert.equal(bits([]), 0)
  assert.equal(bits(['-R']), 0x20)
  assert.equal(bits(['--retain-handling', 'new']), 0x10)
  assert.equal(bits(['-R', '--retain-handling', 'always']), 0)
  assert.equal(bits(['--retain-as-published', '--retain-handling', 'never']), 0x28)
  assert.equal(bits(['-R', '--retain-as-published', '-V', '311']), 0)
})

test('the request: -D publish properties, then generated correlation data, then the response topic', () => {
  const o = parse([...BASE, '-q', '1', '-D', 'publish', 'content-type', 'c'])
  const { message, correlation } = buildRequest(o, Buffer.from('req'), Buffer.from('x'))
  assert.deepEqual(Object.keys(message.properties!), ['contentType', 'correlationData', 'responseTopic'])
  assert.equal(message.properties!.responseTopic, 'resp')
  assert.equal(message.properties!.correlationData, correlation)
  assert.deepEqual([message.qos, message.retain], [1, false])
})

test('the request: given correlation data is kept; off adds none and matches nothing; MQTT v3 has no properties', () => {
  const given = buildRequest(parse([...BASE, '-D', 'publish', 'correlation-data', 'mine']), Buffer.from('req'), Buffer.alloc(0))
  assert.deepEqual(given.correlation, Buffer.from('mine'))
  assert.deepEqual(Object.keys(given.message.properties!), ['correlationData', 'responseTopic'])
  const off = buildRequest(parse([...BASE, '--correlation', 'off']), Buffer.from('req'), Buffer.alloc(0))
  assert.deepEqual(off.message.properties, { responseTopic: 'resp' })
  assert.equal(off.correlation, undefined)
  const v3 = buildRequest(parse([...BASE, '-V', '311']), Buffer.from('req'), Buffer.alloc(0))
  assert.equal(v3.message.properties, undefined)
  assert.equal(v3.correlation, undefined)
})

test('which message is the answer: same correlation data; none only when lenient; anything without correlation', () => {
  const mine = Buffer.from('mine')
  assert.equal(isAnswer(message({ correlationData: Buffer.from('mine') }), mine, 'strict'), true)
  assert.equal(isAnswer(message({ correlationData: Buffer.from('other') }), mine, 'strict'), false)
  assert.equal(isAnswer(message({ correlationData: Buffer.from('other') }), mine, 'lenient'), false)
  assert.equal(isAnswer(message(), mine, 'strict'), false)
  assert.equal(isAnswer(message(), mine, 'lenient'), true)
  assert.equal(isAnswer(message({ correlationData: Buffer.from('other') }), undefined, 'off'), true)
})

test('generated correlation data is printable (a shell responder echoes it as an argument) and new each time', () => {
  const a = newCorrelationData()
  const b = newCorrelationData()
  assert.match(a.toString('latin1'), /^[\x21-\x7e]+$/)
  assert.notDeepEqual(a, b)
})

test('--latency in mosquitto 2.1\'s words: ns, µs and ms with six decimals, whole seconds with nine', () => {
  assert.equal(latencyText(999n), 'Latency: 999ns\n')
  assert.equal(latencyText(38_914n), 'Latency: 38.914000µs\n')
  assert.equal(latencyText(706_497_139n), 'Latency: 706.497139ms\n')
  assert.equal(latencyText(2_000_000_123n), 'Latency: 2.000000123\n')
})
