// mosquitto_sub 2.0.11 and 2.1.2 vs tssub, each on its own real broker: both subscribe to the same filter side by side
// (unless a case must run them one after the other), the runner publishes with mosquitto_pub once
// the broker has logged both SUBSCRIBEs, and stdout bytes, stderr and the exit code are compared.
// Covers plain/-v/-N output, -C, -R, -T, -U, -E, -W, --retained-only, --remove-retained,
// --random-filter, -d, signals, -L, --unix, the connection options and the config file.
//
// Intentional differences encoded here (ours, not theirs):
// | case                                        | mosquitto_sub 2.0.11                   | tssub                              |
// | --remove-retained with -C                   | never exits (waits for a callback that | exits once the removals are acked  |
// | --remove-retained with --retained-only      |   2.0.10 removed)                      |                                    |
// | --random-filter 100                         | per mille: prints about 10%            | a percentage: prints everything    |
// | a v5 broker sends DISCONNECT with an error  | exits 0 at once, silently              | says why, exits 7                  |
// |   reason (not a transient one)              |   (2.1.2: reconnects forever)          |                                    |
import { differentialBoth, type Arg, type DiffCase, type Step } from '../helpers/differential.js'

// A publish step: `topic` under the case's {T}, QoS 1 so that the broker has taken it before the next.
const m = (topic: string, payload: Arg, ...extra: Arg[]): Step => ({ pub: ['-t', `{T}${topic}`, '-m', payload, '-q', '1', ...extra] })
const lines = (topic: string, text: string, ...extra: Arg[]): Step => ({ pub: ['-t', `{T}${topic}`, '-l', '-q', '1', ...extra], stdin: text })
const empty = (topic: string, ...extra: Arg[]): Step => ({ pub: ['-t', `{T}${topic}`, '-n', '-q', '1', ...extra] })
const retained = (topic: string, payload: string): Step => m(topic, payload, '-r')
const BIN = Buffer.from([0x00, 0x01, 0xff, 0x0a, 0x0d, 0x80, 0x41])
const twenty = Array.from({ length: 20 }, (_, i) => `m${i}`).join('\n') + '\n'

const output: DiffCase[] = [
  { name: 'plain payloads', args: ['-t', '{T}/#', '-C', '3'], feed: [lines('/a', 'one\ntwo\nthree\n')] },
  { name: '-v', args: ['-t', '{T}/#', '-C', '2', '-v'], feed: [m('/a', 'x'), m('/b/c', 'y z')] },
  { name: '--verbose with an empty payload prints (null)', args: ['-t', '{T}/#', '-C', '2', '--verbose'], feed: [empty('/e'), m('/f', 'x')] },
  { name: 'plain output prints nothing for an empty payload (still counted)', args: ['-t', '{T}/#', '-C', '2'], feed: [empty('/e'), m('/f', 'x')] },
  { name: '-N', args: ['-t', '{T}/#', '-C', '3', '-N'], feed: [lines('/a', 'one\ntwo\n'), empty('/e')] },
  { name: '-v -N prints nothing for an empty payload', args: ['-t', '{T}/#', '-C', '2', '-v', '-N'], feed: [empty('/e'), m('/f', 'x')] },
  { name: 'binary payloads pass through untouched', args: ['-t', '{T}', '-C', '1', '-v'], feed: [{ pub: ['-t', '{T}', '-s'], stdin: BIN }] },
  { name: 'a payload of 100 kB', args: ['-t', '{T}', '-C', '1'], feed: [{ pub: ['-t', '{T}', '-s', '-q', '1'], stdin: 'z'.repeat(100_000) }] },
  { name: 'several -t in one SUBSCRIBE', args: ['-t', '{T}/a', '-t', '{T}/b', '-C', '2', '-v'], feed: [m('/b', '1'), m('/c', 'no'), m('/a', '2')] },
  { name: 'overlapping filters, v3: one copy', args: ['-t', '{T}/#', '-t', '{T}/b', '-C', '2', '-v'], feed: [m('/b', '1'), m('/c', '2')] },
  { name: 'overlapping filters, v5: two copies', args: ['-V', '5', '-t', '{T}/#', '-t', '{T}/b', '-C', '2', '-v'], feed: [m('/b', '1')] },
  { name: '$SYS topics', args: ['-t', '$SYS/broker/version', '-C', '1', '-v'] },
  { name: '-t taking a word that starts with a dash', args: ['-t', '-d', '-t', '{T}', '-C', '1'], waitFor: '{T}', feed: [m('', 'x')] },
]

const processing: DiffCase[] = [
  { name: '-q 1 receives QoS 1', args: ['-t', '{T}', '-q', '1', '-C', '2', '-d', '-i', '{id}'], feed: [m('', 'a'), m('', 'b', '-q', '2')] },
  { name: '-q 2 receives QoS 2', args: ['-t', '{T}', '--qos', '2', '-C', '1', '-d', '-i', '{id}'], feed: [m('', 'a', '-q', '2')] },
  { name: '-C counts retained messages', args: ['-t', '{T}/#', '-C', '2', '-v'],
    setup: [retained('/a', '1'), retained('/b', '2'), retained('/c', '3')] },
  // One Node timer cannot wait this long (2,147,484,000 ms): it used to fire at once.
  { name: '-W of 24.9 days is a long wait, not none', args: ['-t', '{T}/#', '-C', '1', '-v', '-W', '2147484'],
    setup: [retained('/a', '1')] },
  { name: '-R drops retained messages, uncounted', args: ['-t', '{T}/#', '-C', '1', '-v', '-R'],
    setup: [retained('/old', 'stale')], feed: [m('/new', 'fresh')] },
  { name: '-R with v5 asks the broker (options 0x20)', args: ['-t', '{T}/#', '-C', '1', '-R', '-V', '5', '-d', '-i', '{id}'],
    setup: [retained('/old', 'stale')], feed: [m('/new', 'fresh')] },
  { name: '-T drops matching topics, uncounted', args: ['-t', '{T}/#', '-C', '2', '-v', '-T', '{T}/skip/#', '--filter-out', '{T}/+/x'],
    feed: [m('/skip/a', '1'), m('/b/x', '2'), m('/skip', '3'), m('/ok', '4'), m('/b/y', '5')] },
  { name: '-U unsubscribes right after subscribing', args: ['-t', '{T}/a', '-t', '{T}/b', '-U', '{T}/b', '-C', '1', '-v', '-d', '-i', '{id}'],
    feed: [{ sleep: 300 }, m('/b', 'gone'), m('/a', 'kept')] },
  { name: '-E exits after the SUBACK', args: ['-t', '{T}', '-E', '-d', '-i', '{id}'], waitFor: false },
  { name: '-E with -U', args: ['-t', '{T}', '-E', '--unsubscribe', '{T}/x'], waitFor: false },
  { name: '--retained-only prints retained and stops at the first live message', args: ['-t', '{T}/#', '--retained-only', '-v'],
    setup: [retained('/a', '1'), retained('/b', '2')], feed: [{ sleep: 200 }, m('/live', 'x'), m('/live', 'y')] },
  { name: '--retained-only waits for -W when nothing live comes', args: ['-t', '{T}/#', '--retained-only', '-v', '-W', '1'],
    setup: [retained('/a', '1')] },
  { name: '-W 1 times out: "Timed out", 27', args: ['-t', '{T}', '-W', '1'] },
  // Messages every 400 ms for 4.4 s: a -W that counted from the last message would print all 12.
  { name: '-W counts from the connect, not from the last message', args: ['-t', '{T}', '-W', '2'],
    feed: Array.from({ length: 12 }, (_, i) => [{ sleep: 400 }, m('', `m${i}`)]).flat(),
    normalize: (out) => Buffer.from(out.length === 0 ? 'none' : out.toString().split('\n').length - 1 < 12 ? 'some, not all' : 'all') },
  { name: '--remove-retained clears what it sees', args: ['-t', '{T}/#', '--remove-retained', '-v', '-W', '1'], sequential: true,
    setup: [retained('/a', '1'), retained('/b', '2')], probe: ['-t', '{T}/#', '--retained-only', '-v', '-W', '1'] },
  { name: '--remove-retained skips -T topics', args: ['-t', '{T}/#', '--remove-retained', '-T', '{T}/keep', '-W', '1'], sequential: true,
    setup: [retained('/keep', 'k'), retained('/drop', 'd')], probe: ['-t', '{T}/#', '--retained-only', '-v', '-W', '1'] },
  { name: '--remove-retained removes nothing with -R', args: ['-t', '{T}/#', '--remove-retained', '-R', '-W', '1'], sequential: true,
    setup: [retained('/a', '1')], probe: ['-t', '{T}/#', '--retained-only', '-v', '-W', '1'] },
  // difference: mosquitto hangs forever with --remove-retained and -C; we exit once the removals are acknowledged.
  { name: '--remove-retained with -C', args: ['-t', '{T}/#', '--remove-retained', '-C', '2', '-v'], skipTheirs: 'hangs forever',
    setup: [retained('/a', '1'), retained('/b', '2')], probe: ['-t', '{T}/#', '--retained-only', '-v', '-W', '1'],
    ours: { code: 0, stdout: '{T}/a 1\n{T}/b 2\n', stderr: '', probe: '27 ' } },
  // difference: mosquitto hangs with --retained-only too (its own echoed removal stops it first).
  { name: '--remove-retained with --retained-only', args: ['-t', '{T}/#', '--remove-retained', '--retained-only', '-v'],
    skipTheirs: 'hangs forever', setup: [retained('/a', '1')], probe: ['-t', '{T}/#', '--retained-only', '-v', '-W', '1'],
    ours: { code: 0, stdout: '{T}/a 1\n', stderr: '', probe: '27 ' } },
  { name: '--random-filter 1000 prints everything', args: ['-t', '{T}', '-C', '20', '--random-filter', '1000'], feed: [lines('', twenty)] },
  // difference: the chance is a percentage; mosquitto reads it per mille and prints about 10%.
  { name: '--random-filter 100 prints everything', args: ['-t', '{T}', '-C', '20', '--random-filter', '100'], feed: [lines('', twenty)],
    ours: { stdout: twenty } },
  { name: '--retain-as-published with v5 keeps the retain flag of live messages', args: ['-V', '5', '--retain-as-published', '-t', '{T}',
    '-C', '2', '-F', '%r %p'], feed: [m('', 'r', '-r'), m('', 'n')] },
  { name: '--retain-as-published with v3 is zeroed', args: ['--retain-as-published', '-t', '{T}', '-C', '1', '-F', '%r %p', '-d', '-i', '{id}'],
    feed: [m('', 'r', '-r')] },
  { name: '--retain-as-published makes -R drop live retained messages', args: ['-V', '5', '--retain-as-published', '-R', '-t', '{T}',
    '-C', '1', '-v'], feed: [m('', 'r', '-r'), m('', 'n')] },
  { name: '-W before any CONNACK: silent, 255', bare: true, args: ['-h', '127.0.0.1', '-p', '{silent}', '-t', '{T}', '-W', '1'], waitFor: false },
  { name: 'closed before CONNACK: retried every second until -W', bare: true, args: ['-h', '127.0.0.1', '-p', '{closer}', '-t', '{T}', '-W', '2'],
    waitFor: false },
  // The wait lets tssub (a Node process) install its handler before the signal comes.
  { name: 'SIGINT before any CONNACK: silent, 255', bare: true, args: ['-h', '127.0.0.1', '-p', '{silent}', '-t', '{T}'], waitFor: false,
    feed: [{ sleep: 1000 }, { signal: 'SIGINT' }] },
  { name: 'SIGINT after subscribing: clean exit 0', args: ['-t', '{T}', '-v'], feed: [m('', 'x'), { sleep: 200 }, { signal: 'SIGINT' }] },
  { name: 'v5 SIGINT disconnects with reason 4: the broker publishes the will', sequential: true,
    args: ['-V', '5', '-t', '{T}/x', '--will-topic', '{T}/will', '--will-payload', 'bye', '--will-retain'],
    feed: [{ sleep: 100 }, { signal: 'SIGINT' }], probe: ['-t', '{T}/will', '-C', '1', '-W', '2', '-v'] },
  { name: 'SIGTERM with -d: DISCONNECT, exit 0', args: ['-t', '{T}', '-d', '-i', '{id}'], feed: [{ sleep: 100 }, { signal: 'SIGTERM' }] },
  // difference: a v5 server DISCONNECT with an error reason (here for subscription identifier 0,
  // "Malformed Packet") ends theirs at once with 0, silently (2.1 reconnects forever); ours says why, exit 7.
  { name: 'v5 server DISCONNECT', args: ['-V', '5', '-t', '{T}', '-D', 'subscribe', 'subscription-identifier', '0', '-W', '2'], waitFor: false,
    ours: { code: 7, stderr: 'Error: The connection was lost: the broker sent DISCONNECT (Malformed Packet, reason code 129).\n' } },
]

const connection: DiffCase[] = [
  { name: '-d session at QoS 1 with -C', args: ['-t', '{T}', '-q', '1', '-C', '2', '-d', '-i', '{id}'], feed: [m('', 'a'), m('', 'bb', '-r')] },
  { name: '-d without -i (v3.1.1: (null))', args: ['-t', '{T}', '-C', '1', '-d'], feed: [m('', 'a')] },
  { name: '-d -V 31 (a generated mosq- id)', args: ['-t', '{T}', '-C', '1', '-d', '-V', '31'], feed: [m('', 'a')] },
  { name: '-d -V 5 (a broker-assigned id)', args: ['-t', '{T}', '-C', '1', '-d', '-V', '5'], feed: [m('', 'a')] },
  { name: '-d --quiet drops the Subscribed line', args: ['-t', '{T}', '-C', '1', '-d', '--quiet', '-i', '{id}'], feed: [m('', 'a')] },
  { name: '-c -i keeps a session', args: ['-t', '{T}', '-c', '-i', '{id}', '-q', '1', '-C', '1'], feed: [m('', 'a')] },
  { name: '--disable-clean-session --id, long forms', args: ['--topic', '{T}', '--disable-clean-session', '--id', '{id}', '-C', '1', '--debug'],
    feed: [m('', 'a')] },
  { name: '-V 5 -x 30', args: ['-V', '5', '-x', '30', '-i', '{id}', '-t', '{T}', '-C', '1'], feed: [m('', 'a')] },
  { name: '-k, -M, -A, --nodelay, -u, -P', args: ['-k', '30', '-M', '5', '-A', '127.0.0.1', '--nodelay', '-u', 'u', '-P', 'p', '-t', '{T}', '-C', '1'],
    feed: [m('', 'a')] },
  { name: '-I prefix', args: ['-I', 'x', '-t', '{T}', '-C', '1', '-v'], feed: [m('', 'a')] },
  { name: 'will options', args: ['--will-topic', '{T}/will', '--will-payload', 'bye', '--will-qos', '1', '--will-retain', '-t', '{T}', '-C', '1'],
    feed: [m('', 'a')] },
  { name: '-L with an extra -t', bare: true, args: ['-L', 'mqtt://127.0.0.1:{port}/{T}/a', '-t', '{T}/b', '-C', '2', '-v'],
    feed: [m('/b', '1'), m('/a', '2')] },
  { name: '--url with credentials', bare: true, args: ['--url', 'mqtt://u:p@127.0.0.1:{port}/{T}', '-C', '1'], feed: [m('', 'a')] },
  { name: '--unix', bare: true, args: ['--unix', '{sock}', '-t', '{T}', '-C', '1', '-v'], feed: [m('', 'a')] },
  { name: '-p 0 -h socket', bare: true, args: ['-p', '0', '-h', '{sock}', '-t', '{T}', '-C', '1', '-d', '-i', '{id}'], feed: [m('', 'a')] },
  // difference: mosquitto 2.0.11 sends it, and the broker drops the connection, again and again;
  // 2.1 (and ours) refuse the empty filter.
  { name: "-t ''", args: ['-t', '', '-W', '2'], waitFor: false,
    ours: { code: 1, stderr: "Error: Invalid subscription topic '', are all '+' and '#' wildcards correct?\n\nUse 'tssub --help' to see usage.\n" } },
  { name: 'config: -t and -v from the file, -t from argv', config: '-t {T}/a\n-v\n', args: ['-t', '{T}/b', '-C', '2'],
    waitFor: '{T}/a', feed: [m('/b', '1'), m('/a', '2')] },
  { name: 'config: -d -v on one line', config: '-d -v\n', args: ['-t', '{T}', '-C', '1', '-i', '{id}'], feed: [m('', 'a')] },
  { name: 'config: an error in the file', config: '-C 0\n', args: ['-t', '{T}'], waitFor: false },
]

differentialBoth('mosquitto_sub vs tssub', 'sub', [
  { title: 'output', kind: 'sub', cases: output },
  { title: 'message processing', kind: 'sub', cases: processing },
  { title: 'connection, -d and config', kind: 'sub', cases: connection },
], { concurrency: 4 })
