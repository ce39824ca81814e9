// What mosquitto 2.1 changed or added, against both oracles: mosquitto 2.0.11 and 2.1.2 (broker
// and clients). Where the two differ ours follows 2.1.2, so each such case says what it expects
// from us against 2.0.11 (`vs`), or runs against 2.1.2 only (`oracles`: 2.0.11 calls the option
// unknown). Deliberate differences from 2.1.2 are marked where they are.
//
// | case                                   | mosquitto 2.1.2                          | ours                                |
// | -U alone with -E                       | unsubscribes, then never exits           | exits 0 once the UNSUBACK is in     |
// | --retain-handling new, then -R         | an invalid option (3): subscribes to     | --retain-handling wins: "new"       |
// |                                        |   nothing, prints nothing                |                                     |
// | -w: a message shorter than the last    | leaves the longer one's tail on the line | clears the line first (\e[K)        |
// | --tls-keylog on a plain connection     | "Unable to connect (Invalid input)."     | connects (no keys to log)           |
import { differentialBoth, type DiffCase, type Step } from '../helpers/differential.js'

const hint = (tool: 'pub' | 'sub'): string => `\nUse 'ts${tool} --help' to see usage.\n`
const INFINITE_NEEDS_ID = 'Error: You must provide a client id if you are using an infinite session expiry interval.\n'
const live = (suffix = '', payload = 'live'): Step => ({ pub: ['-t', `{T}${suffix}`, '-m', payload, '-q', '1'] })
const retained = (suffix: string, payload: string): Step => ({ pub: ['-t', `{T}${suffix}`, '-m', payload, '-r', '-q', '1'] })

const pub: DiffCase[] = [
  // Options files: ours reads mosquitto_pub's own file (the runner writes it for both tools).
  { name: 'options file: topic and message from mosquitto_pub\'s file', config: '-t {T}\n-m from the file\n', args: [] },
  { name: 'options file: argv overrides it', config: '-t {T}\n-m from the file\n-q 2\n', args: ['-q', '1'] },
  { name: 'options file: an error in it', config: '-q 3\n', args: ['-t', '{T}', '-m', 'm'] },
  // -x selects MQTT v5 (2.1): then a session that never expires needs a client id.
  { name: '-x -1 without an id', args: ['-t', '{T}', '-m', 'm', '-x', '-1'],
    vs: { '2.0': { code: 1, stderr: INFINITE_NEEDS_ID + hint('pub'), delivered: [] } } },
  { name: '-x -1 in the options file', config: '-x -1\n', args: ['-t', '{T}', '-m', 'm'],
    vs: { '2.0': { code: 1, stderr: INFINITE_NEEDS_ID + hint('pub'), delivered: [] } } },
  { name: '-x -1 then -V 311: MQTT v3.1.1 after all', args: ['-x', '-1', '-V', '311', '-t', '{T}', '-m', 'm', '-q', '1'] },
  { name: '-x -1 with an id', args: ['-x', '-1', '-i', '{id}', '-t', '{T}', '-m', 'm', '-q', '1'] },
  // --no-tls cancels TLS options, as from an options file; --tls-keylog without TLS does nothing.
  { name: '--no-tls cancels a --cafile from the options file', config: '--cafile /nonexistent/ca.pem\n', args: ['--no-tls', '-t', '{T}', '-m', 'm'],
    oracles: ['2.1'] },
  // difference: 2.1.2 fails the connect ("Invalid input"); without TLS there are no keys to log.
  { name: '--tls-keylog without TLS', args: ['--tls-keylog', '{dir}/keys', '-t', '{T}', '-m', 'm'], oracles: ['2.1'],
    ours: { code: 0, stderr: '', delivered: ['0 0 6d {T}'] } },
]

const sub: DiffCase[] = [
  { name: 'options file: -t and -v from mosquitto_sub\'s file', config: '-t {T}\n-v\n', args: ['-C', '1'], waitFor: '{T}', feed: [live()] },
  { name: '-x -1 without an id', args: ['-x', '-1', '-t', '{T}', '-W', '1'], waitFor: false,
    vs: { '2.0': { code: 1, stderr: INFINITE_NEEDS_ID + hint('sub') } } },
  // -U alone (2.1): unsubscribe, then run on (a persistent session may still deliver messages).
  { name: '-U without -t runs until -W', args: ['-U', '{T}', '-W', '2'], waitFor: false,
    vs: { '2.0': { code: 27, stderr: 'Timed out\n' } } },
  // difference: 2.1.2 never exits here (it waits for a SUBACK that cannot come).
  { name: '-U without -t, with -E', args: ['-U', '{T}', '-E', '-W', '3'], waitFor: false, ours: { code: 0, stderr: '' } },
  { name: '--retain-handling never', oracles: ['2.1'], setup: [retained('', 'stale')], args: ['-V', '5', '--retain-handling', 'never', '-t', '{T}', '-C', '1'],
    feed: [live()] },
  { name: '--retain-handling always', oracles: ['2.1'], setup: [retained('', 'stale')], args: ['-V', '5', '--retain-handling', 'always', '-t', '{T}', '-C', '1'] },
  { name: '-R asks for no retained messages (v5)', setup: [retained('', 'stale')], args: ['-V', '5', '-R', '-t', '{T}', '-C', '1'], feed: [live()] },
  { name: '--retain-handling with no value', oracles: ['2.1'], bare: true, args: ['-t', 't', '--retain-handling'] },
  { name: '--retain-handling with an unknown value', oracles: ['2.1'], bare: true, args: ['-t', 't', '--retain-handling', 'sometimes'] },
  // difference: 2.1.2 ORs -R into "new" (an invalid 3) and subscribes to nothing at all; ours asks for "new".
  { name: '--retain-handling new, then -R', oracles: ['2.1'], sequential: true, args: ['-V', '5', '--retain-handling', 'new', '-R', '-t', '{T}', '-C', '1', '-W', '4'],
    feed: [live()], ours: { code: 0, stdout: 'live\n', stderr: '' } },
  // -w: the header, then each topic on its own line; ours also clears each line first (\e[K), which
  // the comparison leaves out.
  { name: '-w', oracles: ['2.1'], setup: [retained('/a', 'one'), retained('/b', 'two')], args: ['-t', '{T}/#', '-v', '-w', '-C', '3'],
    feed: [live('/a', '1')], normalize: (b) => Buffer.from(b.toString('latin1').replaceAll('\x1b[K', ''), 'latin1') },
  { name: '--message-rate until -W', oracles: ['2.1'], args: ['-t', '{T}', '--message-rate', '-W', '2'],
    // one line a second (how many fall within -W depends on timing): "N msgs/s", no message printed
    normalize: (b) => Buffer.from(b.toString('latin1').replace(/^(\d+ msgs\/s\n)+$/, '<rate lines>'), 'latin1') },
]

differentialBoth('mosquitto 2.1 features and changes', 'c21', [
  { title: 'pub', kind: 'pub', cases: pub },
  { title: 'sub', kind: 'sub', cases: sub },
], { concurrency: 3 })
