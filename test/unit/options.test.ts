// The option parser against mosquitto's rules (contract §1-§5): words, values, errors, order.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { UsageError } from '../../src/core/errors.js'
import { parseCommandLine } from '../../src/options/parse.js'
import type { Tool } from '../../src/options/table.js'
import type { Options } from '../../src/options/types.js'

const NO_CONFIG = { XDG_CONFIG_HOME: '/nonexistent-tsmqtt-test' }

function parse(tool: Tool, args: string[], env: NodeJS.ProcessEnv = NO_CONFIG): Options {
  const r = parseCommandLine(tool, args, env)
  assert.equal(r.kind, 'run')
  return (r as { options: Options }).options
}

function parseError(tool: Tool, args: string[], env: NodeJS.ProcessEnv = NO_CONFIG): string {
  try {
    parseCommandLine(tool, args, env)
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${err}`)
    return err.text.toString('latin1')
  }
  assert.fail(`no error for ${args.join(' ')}`)
}

test('a plain publish command line', () => {
  const o = parse('pub', ['-h', 'broker', '-p', '1884', '-t', 'a/b', '-m', 'hello', '-q', '1', '-r', '-i', 'me'])
  assert.equal(o.host, 'broker')
  assert.equal(o.port, 1884)
  assert.deepEqual(o.topics, [Buffer.from('a/b')])
  assert.deepEqual(o.source, { kind: 'message', payload: Buffer.from('hello') })
  assert.equal(o.qos, 1)
  assert.equal(o.retain, true)
  assert.deepEqual(o.id, Buffer.from('me'))
  assert.equal(o.keepalive, 60)
  assert.equal(o.protocolVersion, 4)
  assert.equal(o.maxInflight, 20)
})

test('values are taken unconditionally, even when they look like options', () => {
  assert.deepEqual(parse('sub', ['-t', '-d']).topics, [Buffer.from('-d')])
  assert.deepEqual(parse('pub', ['-t', 't', '-m', '-5']).source, { kind: 'message', payload: Buffer.from('-5') })
  assert.deepEqual(parse('pub', ['-t', 't', '-m', '010']).source, { kind: 'message', payload: Buffer.from('010') })
})

test('no bundling, no --opt=value, no positional words, no options of the other tool', () => {
  assert.equal(parseError('sub', ['-dv', '-t', 'a']), "Error: Unknown option '-dv'.\n")
  assert.equal(parseError('pub', ['-p=1883']), "Error: Unknown option '-p=1883'.\n")
  assert.equal(parseError('pub', ['hello']), "Error: Unknown option 'hello'.\n")
  assert.equal(parseError('pub', ['-C', '3']), "Error: Unknown option '-C'.\n")
  assert.equal(parseError('sub', ['-m', 'x']), "Error: Unknown option '-m'.\n")
  assert.equal(parseError('sub', ['--no-d']), "Error: Unknown option '--no-d'.\n")
})

test('a missing value gives mosquitto\'s text with two newlines', () => {
  assert.equal(parseError('pub', ['-t']), 'Error: -t argument given but no topic specified.\n\n')
  assert.equal(parseError('pub', ['--topic']), 'Error: -t argument given but no topic specified.\n\n')
  assert.equal(parseError('sub', ['-t', 'a', '-C']), 'Error: -C argument given but no count specified.\n\n')
  assert.equal(parseError('pub', ['-V']), 'Error: --protocol-version argument given but no version specified.\n\n')
  assert.equal(parseError('pub', ['-M']), 'Error: -M argument given but max_inflight not specified.\n\n')
  assert.equal(parseError('pub', ['-D', 'publish', 'content-type']), 'Error: --property argument given but not enough arguments specified.\n\n')
})

test('range errors use mosquitto\'s texts', () => {
  assert.equal(parseError('pub', ['-q', '3']), 'Error: Invalid QoS given: 3\n')
  assert.equal(parseError('pub', ['-k', '2']), 'Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n')
  assert.equal(parseError('pub', ['-p', '65536']), 'Error: Invalid port given: 65536\n')
  assert.equal(parseError('pub', ['-M', '0']), 'Error: Maximum inflight messages must be greater than 0.\n\n')
  assert.equal(parseError('sub', ['-C', '0']), 'Error: Invalid message count "0".\n\n')
  assert.equal(parseError('sub', ['-W', '-3']), 'Error: Invalid timeout "-3".\n\n')
  assert.equal(parseError('pub', ['--will-qos', '7']), 'Error: Invalid will QoS 7.\n\n')
  assert.equal(parseError('pub', ['-V', 'mqttv4']), 'Error: Invalid protocol version argument given.\n\n')
  assert.equal(parseError('pub', ['--repeat', '0']), 'Error: --repeat argument must be >0.\n\n')
  assert.equal(parseError('pub', ['--repeat-delay', '-1']), 'Error: --repeat-delay argument must be >=0.0.\n\n')
  assert.equal(parseError('sub', ['--random-filter', '0']), 'Error: --random-filter chance must be between 0.1-100.0\n\n')
  assert.equal(parseError('pub', ['-x', 'abc']), 'Error: session-expiry-interval not a number.\n\n')
  assert.equal(parseError('pub', ['-x', '4294967296']), 'Error: session-expiry-interval out of range.\n\n')
})

test('numbers are read as mosquitto reads them (C atoi, atof), and their range errors name the number read', () => {
  assert.equal(parse('pub', ['-q', 'x']).qos, 0)
  assert.equal(parse('pub', ['-q', '1.5']).qos, 1)
  assert.equal(parse('pub', ['-q', '4294967298']).qos, 2)
  assert.equal(parse('pub', ['-k', '60.5']).keepalive, 60)
  assert.equal(parse('pub', ['-p', ' 1883x']).port, 1883)
  assert.equal(parse('pub', ['-p', 'abc']).port, 0)
  assert.equal(parse('pub', ['--repeat', '1e2']).repeat, 1)
  assert.equal(parse('pub', ['--repeat-delay', 'soon']).repeatDelay, 0)
  assert.equal(parse('pub', ['--repeat-delay', '0x1p-2']).repeatDelay, 0.25)
  assert.equal(parse('pub', ['--repeat-delay', '-1e-50']).repeatDelay, 0)
  assert.equal(parse('sub', ['-t', 't', '-C', '3x', '-W', '1.9']).count, 3)
  assert.equal(parse('sub', ['-t', 't', '-W', '1.9']).timeout, 1)
  assert.equal(parse('sub', ['-t', 't', '--random-filter', '12.34']).randomFilter, 123)
  assert.equal(parseError('pub', ['-k', 'abc']), 'Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n')
  assert.equal(parseError('pub', ['-q', '2147483650']), 'Error: Invalid QoS given: -2147483646\n')
  assert.equal(parseError('pub', ['-p', '99999999999999999999']), 'Error: Invalid port given: -1\n')
  assert.equal(parseError('sub', ['-t', 't', '-W', '0.9']), 'Error: Invalid timeout "0".\n\n')
  assert.equal(parseError('sub', ['-t', 't', '--random-filter', 'inf']), 'Error: --random-filter chance must be between 0.1-100.0\n\n')
  assert.equal(parseError('pub', ['--repeat-delay', 'inf']), "Error: --repeat-delay argument given but 'inf' is out of range.\n\n")
})

test('-x accepts strtol forms and infinity', () => {
  assert.equal(parse('pub', ['-x', '0x10']).sessionExpiry, 16)
  assert.equal(parse('pub', ['-x', '010']).sessionExpiry, 8)
  assert.equal(parse('pub', ['-x', ' +0X1f']).sessionExpiry, 31)
  assert.equal(parseError('pub', ['-x', '\xa010']), 'Error: session-expiry-interval not a number.\n\n')
  assert.equal(parseError('pub', ['-x', '99999999999999999999']), 'Error: session-expiry-interval out of range.\n\n')
  assert.equal(parse('pub', ['-x', '-1', '-V', '5', '-i', 'x']).sessionExpiry, 4294967295)
  assert.equal(parse('pub', ['-x', Buffer.from('∞').toString('latin1'), '-i', 'x']).sessionExpiry, 4294967295)
})

test('-x selects MQTT v5 where it appears, as -D does (mosquitto 2.1); a later -V wins', () => {
  const v5 = parse('pub', ['-t', 't', '-m', 'm', '-x', '60'])
  assert.equal(v5.protocolVersion, 5)
  assert.deepEqual(v5.propertyMap.connect, { sessionExpiryInterval: 60 })
  assert.equal(parse('pub', ['-V', '311', '-x', '60']).protocolVersion, 5)
  const v311 = parse('pub', ['-x', '60', '-V', '311'])
  assert.equal(v311.protocolVersion, 4)
  assert.deepEqual(v311.propertyMap, {})
  // v5 rules apply: a session that never expires needs a client id.
  assert.equal(parseError('pub', ['-t', 't', '-m', 'm', '-x', '-1']),
    'Error: You must provide a client id if you are using an infinite session expiry interval.\n')
  // In the options file too.
  const dir = mkdtempSync(join(tmpdir(), 'tsmqtt-x-'))
  writeFileSync(join(dir, 'mosquitto_sub'), '-x 30\n')
  assert.equal(parse('sub', ['-t', 't'], { XDG_CONFIG_HOME: dir }).protocolVersion, 5)
  assert.equal(parse('sub', ['-t', 't', '-V', '31'], { XDG_CONFIG_HOME: dir }).protocolVersion, 3)
})

test('topics are validated where they appear', () => {
  assert.equal(parseError('pub', ['-t', 'a/+']), "Error: Invalid publish topic 'a/+', does it contain '+' or '#'?\n")
  assert.equal(parseError('sub', ['-t', 'a/b#']), "Error: Invalid subscription topic 'a/b#', are all '+' and '#' wildcards correct?\n")
  assert.equal(parseError('sub', ['-t', 'a', '-T', '+a']), "Error: Invalid filter topic '+a', are all '+' and '#' wildcards correct?\n")
  assert.equal(parseError('sub', ['-t', 'a', '-U', '#/a']), "Error: Invalid unsubscribe topic '#/a', are all '+' and '#' wildcards correct?\n")
  assert.equal(parseError('pub', ['--will-topic', 'w/#']), "Error: Invalid will topic 'w/#', does it contain '+' or '#'?\n")
  assert.equal(parseError('pub', ['-t', 'a\x01b']), 'Error: Malformed UTF-8 in -t argument.\n\n')
  assert.equal(parseError('pub', ['-t', '\xff']), 'Error: Malformed UTF-8 in -t argument.\n\n')
})

test('the first error in argv order wins', () => {
  assert.equal(parseError('pub', ['-q', '3', '-k', '2']), 'Error: Invalid QoS given: 3\n')
  assert.equal(parseError('pub', ['-k', '2', '-q', '3']), 'Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n')
  assert.equal(parseError('pub', ['-q', '3', '--help']), 'Error: Invalid QoS given: 3\n')
})

test('--help and --version stop parsing', () => {
  assert.equal(parseCommandLine('pub', ['--help', '-q', '9'], NO_CONFIG).kind, 'help')
  assert.equal(parseCommandLine('sub', ['--version'], NO_CONFIG).kind, 'version')
})

test('message sources are exclusive', () => {
  const text = 'Error: Only one type of message can be sent at once.\n\n'
  assert.equal(parseError('pub', ['-m', 'a', '-l']), text)
  assert.equal(parseError('pub', ['-n', '-f', 'x']), text)
  assert.equal(parseError('pub', ['-s', '-s']), text)
})

test('scalars: the last wins; sub topics, -T and -U accumulate', () => {
  const p = parse('pub', ['-t', 'one', '-t', 'two', '-h', 'a', '-h', 'b', '-m', 'x'])
  assert.deepEqual(p.topics.map(String).at(-1), 'two')
  assert.equal(p.host, 'b')
  const s = parse('sub', ['-t', 'one', '-t', 'two', '-T', 'x', '-T', 'y', '-U', 'u'])
  assert.deepEqual(s.topics.map(String), ['one', 'two'])
  assert.deepEqual(s.filterOut.map(String), ['x', 'y'])
  assert.deepEqual(s.unsubscribe.map(String), ['u'])
})

test('-D switches to v5 where it appears; a later -V wins', () => {
  assert.equal(parse('pub', ['-V', '311', '-D', 'publish', 'content-type', 'x']).protocolVersion, 5)
  assert.equal(parse('pub', ['-D', 'publish', 'content-type', 'x', '-V', '311']).protocolVersion, 4)
  const o = parse('pub', ['-D', 'publish', 'user-property', 'k', 'v'])
  assert.deepEqual(o.properties, [{ command: 'publish', name: 'user-property', values: [Buffer.from('k'), Buffer.from('v')] }])
  assert.equal(parse('pub', ['-V', 'mqttv31']).protocolVersion, 3)
})

test('-L sets host, port, credentials and topic; later options override it', () => {
  const o = parse('pub', ['-L', 'mqtt://user:pw@example:1999/a/b', '-m', 'x'])
  assert.equal(o.host, 'example')
  assert.equal(o.port, 1999)
  assert.equal(String(o.username), 'user')
  assert.equal(String(o.password), 'pw')
  assert.deepEqual(o.topics.map(String), ['a/b'])
  assert.equal(parse('pub', ['-L', 'mqtt://h:1999/t', '-p', '2000']).port, 2000)
  assert.deepEqual(parse('sub', ['-L', 'mqtt://h/x', '-t', 'y']).topics.map(String), ['x', 'y'])
  assert.equal(parseError('pub', ['-L', 'http://h/t']), 'Error: Unsupported URL scheme.\n\n')
  assert.equal(parseError('pub', ['-L', 'mqtt://h']), 'Error: Invalid URL for -L argument specified - topic missing.\n')
})

test('--unix means host = path and port 0', () => {
  const o = parse('sub', ['--unix', '/tmp/s', '-t', 'a'])
  assert.equal(o.host, '/tmp/s')
  assert.equal(o.port, 0)
})

test('post-parse checks come in mosquitto\'s order', () => {
  assert.equal(parseError('pub', ['--will-payload', 'x', '--will-retain']), 'Error: Will payload given, but no will topic given.\n')
  assert.equal(parseError('pub', ['--will-retain']), 'Error: Will retain given, but no will topic given.\n')
  assert.equal(parseError('pub', ['-c', '-t', 'a']), 'Error: You must provide a client id if you are using the -c option.\n')
  assert.equal(parseError('pub', ['-c', '-I', 'p']), 'Error: You must provide a client id if you are using the -c option.\n')
  assert.equal(parseError('pub', ['-c', '-V', '5']), 'Error: You must provide a client id if you are using an infinite session expiry interval.\n')
  assert.equal(parseError('sub', ['-q', '1']), 'Error: You must specify a topic to subscribe to (-t) or unsubscribe from (-U).\n')
  assert.equal(parseError('pub', ['-i', 'a', '-I', 'b']), 'Error: -i and -I argument cannot be used together.\n\n')
  assert.equal(parseError('pub', ['--cert', 'c']), 'Error: Both certfile and keyfile must be provided if one of them is set.\n')
  assert.equal(parseError('pub', ['--psk', '00']), 'Error: --psk-identity required if --psk used.\n')
  // --will-qos alone is silently ignored, as mosquitto does.
  assert.equal(parse('pub', ['--will-qos', '1']).will, undefined)
})

test('argv bytes pass through unchanged (byte strings)', () => {
  const o = parse('pub', ['-t', 't', '-m', '\xff\xfe\x00x'])
  assert.deepEqual(o.source, { kind: 'message', payload: Buffer.from([0xff, 0xfe, 0, 0x78]) })
})

test('the config file comes first, line by line, and argv overrides it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmqtt-conf-'))
  writeFileSync(join(dir, 'tssub'), '# comment\n-t from/file\n-q 1\n-h filehost\n')
  const o = parse('sub', ['-t', 'from/argv', '-h', 'argvhost'], { XDG_CONFIG_HOME: dir })
  assert.deepEqual(o.topics.map(String), ['from/file', 'from/argv'])
  assert.equal(o.qos, 1)
  assert.equal(o.host, 'argvhost')
  writeFileSync(join(dir, 'tspub'), '-m from file\n')
  assert.equal(parseError('pub', ['-m', 'x'], { XDG_CONFIG_HOME: dir }), 'Error: Only one type of message can be sent at once.\n\n')
  writeFileSync(join(dir, 'tspub'), '-t\nfoo\n')
  assert.equal(parseError('pub', [], { XDG_CONFIG_HOME: dir }), 'Error: -t argument given but no topic specified.\n\n')
})

test("mosquitto's own options file is read first, then ours, which overrides it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmqtt-both-'))
  const env = { XDG_CONFIG_HOME: dir }
  // mosquitto_pub's file alone: a user's settings for mosquitto's clients apply to ours.
  writeFileSync(join(dir, 'mosquitto_pub'), '-h mosq-host\n-p 1884\n-t mosq/topic\n')
  let o = parse('pub', ['-m', 'x'], env)
  assert.equal(o.host, 'mosq-host')
  assert.equal(o.port, 1884)
  assert.deepEqual(o.topics.map(String), ['mosq/topic'])
  // Each tool reads its own: mosquitto_sub's for tssub, not mosquitto_pub's.
  writeFileSync(join(dir, 'mosquitto_sub'), '-t mosq/sub\n')
  assert.deepEqual(parse('sub', [], env).topics.map(String), ['mosq/sub'])
  // Ours second: its scalars win, repeatable options add up, argv still wins over both.
  writeFileSync(join(dir, 'tspub'), '-h ts-host\n')
  writeFileSync(join(dir, 'tssub'), '-t ts/sub\n')
  o = parse('pub', ['-m', 'x'], env)
  assert.equal(o.host, 'ts-host')
  assert.equal(o.port, 1884)
  assert.equal(parse('pub', ['-m', 'x', '-h', 'argv-host'], env).host, 'argv-host')
  assert.deepEqual(parse('sub', ['-t', 'argv/sub'], env).topics.map(String), ['mosq/sub', 'ts/sub', 'argv/sub'])
  // An error in mosquitto's file is reported like an argv error, as mosquitto does.
  writeFileSync(join(dir, 'mosquitto_pub'), '-q 7\n')
  assert.equal(parseError('pub', ['-t', 't', '-m', 'x'], env), 'Error: Invalid QoS given: 7\n')
  // HOME is the fallback for both files, and a set XDG_CONFIG_HOME hides it (mosquitto).
  const home = mkdtempSync(join(tmpdir(), 'tsmqtt-home-'))
  mkdirSync(join(home, '.config'))
  writeFileSync(join(home, '.config', 'mosquitto_pub'), '-h home-host\n')
  assert.equal(parse('pub', ['-t', 't', '-m', 'x'], { HOME: home }).host, 'home-host')
  assert.equal(parse('pub', ['-t', 't', '-m', 'x'], { HOME: home, XDG_CONFIG_HOME: join(home, 'none') }).host, 'localhost')
  // -o replaces both.
  const explicit = join(dir, 'explicit.conf')
  writeFileSync(explicit, '-t from/explicit\n')
  assert.equal(parse('pub', ['-o', explicit, '-m', 'x'], env).host, 'localhost')
})

test('-o replaces the default options file; --profile adds a shared named file; argv still wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsmqtt-profiles-'))
  writeFileSync(join(dir, 'tspub'), '-h default-host\n-t from/default\n')
  const explicit = join(dir, 'explicit.conf')
  writeFileSync(explicit, '-h explicit-host\n')
  const env = { XDG_CONFIG_HOME: dir }
  assert.equal(parse('pub', ['-m', 'x'], env).host, 'default-host')
  const o = parse('pub', ['-o', explicit, '-t', 't', '-m', 'x'], env)
  assert.equal(o.host, 'explicit-host')
  assert.deepEqual(o.topics.map(String), ['t'])
  assert.equal(parseError('pub', ['-o', explicit, '-o', explicit], env), 'Error: Duplicate -o argument given.\n\n')
  assert.equal(parseError('pub', ['-o', join(dir, 'missing')], env), `Error: Unable to read options file "${join(dir, 'missing')}".\n`)

  mkdirSync(join(dir, 'tsmqtt'))
  writeFileSync(join(dir, 'tsmqtt', 'prod'), '-h prod-broker\n-u deployer\n-P s3cret\n')
  const p = parse('pub', ['--profile', 'prod', '-t', 't', '-m', 'x'], env)
  assert.equal(p.host, 'prod-broker')
  assert.equal(String(p.username), 'deployer')
  assert.equal(parse('pub', ['--profile', 'prod', '-h', 'override', '-t', 't', '-m', 'x'], env).host, 'override')
  // The same profile serves tssub.
  assert.equal(parse('sub', ['--profile', 'prod', '-t', 't'], env).host, 'prod-broker')
  assert.equal(parseError('pub', ['--profile', 'nope'], env), `Error: No profile 'nope': ${dir}/tsmqtt/nope cannot be read.\n`)
  assert.equal(parseError('pub', ['--profile', '../tspub'], env), "Error: Invalid profile name '../tspub': use a plain file name from ~/.config/tsmqtt/.\n")
  // A file does not pull in another: -o or --profile inside one is refused, not silently skipped.
  writeFileSync(join(dir, 'tspub'), `-o ${explicit}\n`)
  assert.equal(parseError('pub', ['-t', 't', '-m', 'x'], env), 'Error: -o cannot be used in an options file.\n')
  writeFileSync(explicit, '--profile prod\n')
  assert.equal(parseError('pub', ['-o', explicit, '-t', 't', '-m', 'x'], env), 'Error: --profile cannot be used in an options file.\n')
})
