// mosquitto_rr (2.0.11 and 2.1.2) vs tsrr on a real broker, with a real responder
// (test/helpers/responder.ts answers requests under the case's {T}; the request topic's last level
// says how). Both tools run at once, each with its own request and response topics.
//
// Intentional differences encoded here (ours, not theirs; README "Differences from mosquitto"):
// | case                                        | mosquitto_rr                              | tsrr                                 |
// | --help, --version                           | exit 1                                    | exit 0, our usage text               |
// | a stale retained message on -e              | printed as the answer                     | skipped (no correlation data): the real answer |
// | a foreign answer first (other correlation)  | printed as the answer                     | skipped: the real answer             |
// | a responder that does not echo correlation  | its answer                                | -W times out (--correlation lenient takes it) |
// | -t '', -e ''                                | connects; exit 3, or exit 0 after a broker DISCONNECT | refused before connecting, exit 1 |
// | -D publish ... with -V 311                  | properties dropped, exit 0                | "This feature is not supported", exit 1 |
// | the will after an answer                    | published (no DISCONNECT is sent)         | not published (DISCONNECT sent)      |
// | -d after the answer                         | no DISCONNECT line                        | "sending DISCONNECT" last            |
// | 2.0.11 only: -f, -s                         | never read: an empty request              | the file / stdin, as 2.1             |
// | 2.0.11 only: -R                             | ignored: the stale retained message       | as 2.1: options 0x20, the real answer |
// | 2.0.11 only: --latency, --retain-handling   | unknown options                           | as 2.1                               |
// | 2.1.2 only: --latency after -W timed out    | prints a meaningless latency              | prints none                          |
// | 2.1.2 only: -W before any CONNACK           | waits for ever                            | "Timed out", exit 27 (as 2.0.11)     |
// | a refused CONNACK with -V 311               | the v3 code read as a v5 reason           | the v3 text (as tssub)               |
// | a request refused by the broker (v5 PUBACK) | waits for ever (or -W)                    | tspub's warning, exit = the reason   |
import { differential, type DiffCase, type Expect } from '../helpers/differential.js'
import type { MosquittoVersion } from '../helpers/mosquitto.js'

const ourUsage = (b: Buffer): boolean => b.toString().startsWith('tsrr is a simple mqtt client')
const ourVersion = (b: Buffer): boolean => /^tsrr version \S+ running on Node\.js v/.test(b.toString())
const latencyMasked = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/Latency: [^\n]*/, 'Latency: <t>'), 'latin1')
// A request to {T}/<kind> answered on {T}/resp.
const ask = (kind: string, ...rest: string[]): string[] => ['-t', `{T}/${kind}`, '-e', '{T}/resp', ...rest]
const retained = (payload: string): DiffCase['setup'] => [{ pub: ['-t', '{T}/resp', '-m', payload, '-r', '-q', '1'] }]
// A difference from 2.0.11 only (2.1.2 fixed it, and tsrr does as 2.1.2 does).
const from21 = (v: MosquittoVersion, ours: Expect): Expect | undefined => (v === '2.0' ? ours : undefined)

function answering(v: MosquittoVersion): DiffCase[] {
  return [
    { name: '-m at QoS 0', args: ask('req', '-m', 'hello') },
    { name: '-m at QoS 1', args: ask('req', '-m', 'hello', '-q', '1') },
    { name: '-m at QoS 2', args: ask('req', '--message', 'hello', '--qos', '2') },
    { name: '-n: an empty request', args: ask('req', '-n', '-q', '1') },
    { name: "-m ''", args: ask('req', '-m', '') },
    { name: '-v prints the response topic', args: ask('req', '-m', 'x', '-v') },
    { name: '-N leaves out the newline', args: ask('req', '-m', 'x', '-N') },
    { name: '-F with topic, payload, QoS and retain flag', args: ask('req', '-m', 'x', '-q', '1', '-F', '%t|%p|%q|%r|%l') },
    { name: '-F %C and %P: the answer\'s content type and user properties', args: ask('req-props', '-m', 'x', '-F', '%C %P') },
    { name: 'an empty answer prints nothing', args: ask('req-empty', '-m', 'x') },
    { name: 'an empty answer with -v prints (null)', args: ask('req-empty', '-m', 'x', '-v') },
    { name: '-e equal to -t: the request itself is the answer', args: ['-t', '{T}/echo', '-e', '{T}/echo', '-m', 'me', '-v'] },
    { name: 'the last -t and -e win', args: ['-t', '{T}/nothing', '-e', '{T}/nowhere', ...ask('req', '-m', 'x', '-v')] },
    { name: '-V 311: the responder answers on its own topic', args: ['-V', '311', '-t', '{T}/req', '-e', '{T}/req/reply', '-m', 'v3', '-q', '1'] },
    { name: '-V mqttv31', args: ['-V', 'mqttv31', '-t', '{T}/req', '-e', '{T}/req/reply', '-m', 'v31'] },
    { name: '-c -i with a session expiry', args: ask('req', '-m', 'x', '-c', '-i', '{id}', '-x', '5', '-q', '1') },
    { name: '-D publish properties go with the request', args: ask('req-props', '-m', 'x', '-D', 'publish', 'user-property', 'k', 'v', '-D', 'publish', 'content-type', 'a/b', '-F', '%p') },
    { name: 'options file', args: ['-m', 'from-file'], config: '-t {T}/req\n-e {T}/resp\n-q 1\n' },
    { name: '--correlation off: mosquitto_rr\'s exact request', args: ask('req', '-m', 'x', '-F', '%p [%D]'), oursArgs: ['--correlation', 'off'] },
    { name: 'a responder that does not echo correlation data: --correlation lenient takes its answer', args: ask('req-nocd', '-m', 'x'), oursArgs: ['--correlation', 'lenient'] },
    { name: '-f sends the file', args: ask('req', '-f', '{dir}/f'), files: { f: 'file body' }, ours: from21(v, { stdout: 're: file body\n' }) },
    { name: '-s sends stdin', args: ask('req', '-s'), stdin: 'from stdin', ours: from21(v, { stdout: 're: from stdin\n' }) },
  ]
}

function waiting(v: MosquittoVersion): DiffCase[] {
  // The will is retained, so the probe finds it however late it comes.
  const willProbe = ['-t', '{T}/will', '-C', '1', '-W', '2', '-F', '%p']
  const will = ['--will-topic', '{T}/will', '--will-payload', 'gone', '--will-retain']
  return [
    { name: '-W: no answer', args: ask('req-silent', '-m', 'x', '-W', '1') },
    { name: '-W with --quiet', args: ask('req-silent', '-m', 'x', '-W', '1', '--quiet') },
    { name: 'a retained message on -e: theirs prints it, ours waits for the answer', args: ask('req', '-m', 'fresh'), setup: retained('stale'),
      ours: { stdout: 're: fresh\n' } },
    { name: 'a retained message on -e with --correlation off: the stale message, as mosquitto_rr', args: ask('req', '-m', 'fresh'), oursArgs: ['--correlation', 'off'], setup: retained('stale') },
    { name: '-R skips the retained message (2.0.11 ignores -R)', args: ask('req', '-m', 'fresh', '-R'), oursArgs: ['--correlation', 'off'], setup: retained('stale'),
      ours: from21(v, { stdout: 're: fresh\n' }) },
    { name: 'a foreign answer first: ours takes only its own', args: ask('req-twice', '-m', 'x'), ours: { stdout: 're: x\n' } },
    { name: 'a responder that does not echo correlation data: ours times out', args: ask('req-nocd', '-m', 'x', '-W', '2'),
      ours: { code: 27, stdout: '', stderr: 'Timed out\n' } },
    { name: 'the will: theirs is published after the answer, ours is not', args: ask('req', '-m', 'x', ...will),
      probe: willProbe, ours: { probe: '27 ' } },
    { name: 'the will after -W: published by both (DISCONNECT with will)', args: ask('req-silent', '-m', 'x', '-W', '1', ...will),
      probe: willProbe },
  ]
}

function refusing(v: MosquittoVersion): DiffCase[] {
  return [
    { name: 'no -e', args: ['-t', '{T}/req', '-m', 'x'] },
    { name: 'no -t', args: ['-e', '{T}/resp', '-m', 'x'] },
    { name: 'no message', args: ask('req') },
    { name: '-e with a wildcard', args: ['-t', '{T}/req', '-e', '{T}/#', '-m', 'x'] },
    { name: '-e without its value', args: ['-t', '{T}/req', '-m', 'x', '-e'] },
    { name: 'two message sources', args: ask('req', '-m', 'x', '-n') },
    { name: '-D publish response-topic is refused', args: ask('req', '-m', 'x', '-D', 'publish', 'response-topic', 'a') },
    { name: '-D publish response-topic with --quiet', args: ask('req', '-m', 'x', '-D', 'publish', 'response-topic', 'a', '--quiet') },
    { name: '-c without -i (MQTT v5)', args: ask('req', '-m', 'x', '-c') },
    { name: '-W 0', args: ask('req', '-m', 'x', '-W', '0') },
    ...['-l', '-r', '--repeat', '-C', '-E', '-T', '-U', '--retained-only', '--remove-retained', '--random-filter'].map((o): DiffCase =>
      ({ name: `${o} is not an option of rr`, args: [...ask('req', '-m', 'x'), o, '1'] })),
    { name: '--retain-handling with a bad value', args: ask('req', '-m', 'x', '--retain-handling', 'sometimes'),
      ours: from21(v, { stderr: "Error: Unknown value 'sometimes' for --retain-handling.\n\n\nUse 'tsrr --help' to see usage.\n" }) },
    { name: '--help', args: ['--help'], bare: true, ours: { code: 0, stdout: ourUsage } },
    { name: '--version', args: ['--version'], bare: true, ours: { code: 0, stdout: ourVersion } },
    // refused while parsing, as mosquitto 2.1 does
    { name: "-t ''", args: ['-t', '', '-e', '{T}/resp', '-m', 'x'], ours: from21(v, { code: 1, stderr: "Error: Invalid publish topic '', does it contain '+' or '#'?\n\nUse 'tsrr --help' to see usage.\n" }) },
    { name: "-e ''", args: ['-t', '{T}/req', '-e', '', '-m', 'x', '-W', '2'],
      ours: from21(v, { code: 1, stderr: "Error: Invalid response topic '', does it contain '+' or '#'?\n\nUse 'tsrr --help' to see usage.\n" }) },
    { name: '-D publish with -V 311', args: ask('req', '-m', 'x', '-D', 'publish', 'user-property', 'a', 'b', '-V', '311', '-W', '2'),
      ours: { code: 1, stdout: '', stderr: 'Unable to connect (This feature is not supported).\n' } },
    { name: '-W against a server that never answers the CONNECT', args: ['-h', '127.0.0.1', '-p', '{silent}', ...ask('req', '-m', 'x', '-W', '1')], bare: true,
      ...(v === '2.1' ? { skipTheirs: 'mosquitto_rr 2.1.2 never times out before a CONNACK', ours: { code: 27, stdout: '', stderr: 'Timed out\n' } } : {}) },
    { name: 'a server that closes the connection at once', args: ['-h', '127.0.0.1', '-p', '{closer}', ...ask('req', '-m', 'x')], bare: true },
  ]
}

function versionOnly(v: MosquittoVersion): DiffCase[] {
  if (v === '2.0') {
    return [
      { name: '--latency is mosquitto 2.1\'s', args: ask('req', '-m', 'x', '--latency'), normalize: latencyMasked,
        ours: { code: 0, stdout: 're: x\nLatency: <t>\n', stderr: '' } },
      { name: '-d: ours ends with its DISCONNECT', args: ask('req', '-m', 'x', '-q', '1', '-d'), oursArgs: ['--correlation', 'off'],
        ours: { stdout: (b) => /sending PUBACK \(m1, rc0\)\nre: x\nClient auto-<id> sending DISCONNECT\n$/.test(b.toString()) } },
    ]
  }
  return [
    { name: '--latency', args: ask('req', '-m', 'x', '--latency'), normalize: latencyMasked },
    { name: '--latency with -v and -N', args: ask('req', '-m', 'x', '--latency', '-v', '-N'), normalize: latencyMasked },
    { name: '--latency when -W times out: no figure', args: ask('req-silent', '-m', 'x', '--latency', '-W', '1'), normalize: latencyMasked,
      ours: { stdout: '' } },
    { name: '--retain-handling never skips the retained message', args: ask('req', '-m', 'fresh', '--retain-handling', 'never'), oursArgs: ['--correlation', 'off'], setup: retained('stale') },
    { name: '--retain-as-published', args: ask('req', '-m', 'x', '--retain-as-published', '-F', '%r %p') },
    // -F prints as mosquitto 2.1 does ("retain":false, no stray Z in "tst"): 2.0.11's JSON differs.
    { name: '-F %j of the answer', args: ask('req', '-m', 'x', '-F', '%j'), oursArgs: ['--correlation', 'off'] },
    // mosquitto 2.1's text (2.0.11: 'Unable to open file "x".')
    { name: '-f with a missing file', args: ask('req', '-f', '{dir}/missing'),
      ours: from21(v, { stderr: 'Error: Unable to read file "{dir}/missing": No such file or directory.\nError loading input file "{dir}/missing".\n' }) },
    { name: '-s with an empty stdin', args: ask('req', '-s'), stdin: '' },
  ]
}

// On a broker with a user and an ACL that denies publishing to .../denied.
function authorising(v: MosquittoVersion): DiffCase[] {
  const as = (password: string): string[] => ['-u', 'rr', '-P', password]
  return [
    { name: 'the right password', args: [...as('secret'), ...ask('req', '-m', 'x', '-q', '1')] },
    { name: 'a wrong password (MQTT v5)', args: [...as('wrong'), ...ask('req', '-m', 'x')] },
    { name: 'a wrong password with -V 311: ours in MQTT v3 words', args: [...as('wrong'), '-V', '311', ...ask('req', '-m', 'x')],
      ours: { stderr: 'Connection error: Connection Refused: not authorised\n' } },
    { name: 'a request the broker refuses (QoS 1): ours says so at once, theirs waits for -W', args: [...as('secret'), ...ask('denied', '-m', 'x', '-q', '1', '-W', '2')],
      ours: { code: 135, stderr: 'Warning: Publish 2 failed: Not authorized.\n' } },
  ]
}

for (const v of ['2.0', '2.1'] as const) {
  const label = v === '2.0' ? 'rr20' : 'rr21'
  differential(`tsrr vs mosquitto_rr ${v === '2.0' ? '2.0.11' : '2.1.2'}`, label, [
    { title: 'answers', kind: 'rr', cases: answering(v) },
    { title: 'waiting and skipping', kind: 'rr', cases: waiting(v) },
    { title: 'refusals', kind: 'rr', cases: refusing(v) },
    { title: `only in ${v}`, kind: 'rr', cases: versionOnly(v) },
  ], { broker: { version: v } })
  differential(`tsrr vs mosquitto_rr ${v === '2.0' ? '2.0.11' : '2.1.2'}: a user and an ACL`, `${label}a`, [
    { title: 'authorisation', kind: 'rr', cases: authorising(v) },
  ], { broker: { version: v, users: { rr: 'secret' } }, acl: 'user rr\ntopic readwrite #\ntopic deny drr/+/+/+/denied\n' })
}
