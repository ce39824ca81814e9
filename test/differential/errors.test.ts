// Every option and validation error of contract §3.3/§3.4, and the runtime errors of §3.1/§3.2,
// for both tools: the exact stderr (program name normalised), stdout and exit code. The broker
// here has a user, so CONNACK refusals can be provoked; cases that must connect log in.
//
// Intentional differences encoded here (ours, not theirs):
// | case                                            | mosquitto 2.0.11                 | ours                                      |
// | --help, --version                               | exit 1                           | exit 0, our own text                      |
// | an -i that is not UTF-8                         | exit 1 with no message           | "Error: Malformed UTF-8 in -i argument."  |
// | tspub with no topic and no message              | its usage text on stdout         | our usage text on stdout                  |
// | v5 PUBACK/PUBREC with a reason >= 128           | "Warning: Publish 1 failed: …",  | the same warning, exit = the reason code  |
// |                                                 |   exit 0                         |   (cli/pub.ts: deliberate)                |
//
// Numbers are read as mosquitto reads them (C atoi/atof: -q x is 0, -q 1x is 1, 4294967297 wraps to
// 1): numbers.test.ts compares them against both mosquittos.
import { differentialBoth, type Arg, type DiffCase } from '../helpers/differential.js'

const LOGIN = ['-u', 'alice', '-P', 'wonderland']
const hint = (tool: 'pub' | 'sub'): string => `\nUse 'ts${tool} --help' to see usage.\n`
const usage = (tool: 'pub' | 'sub') => (b: Buffer): boolean => b.toString().startsWith(`ts${tool} is a simple mqtt client`)

// Options that take a value, and so fail with "<opt> argument given but ..." when last (§3.3).
// Both tools share one parser, so each shared option is tried on one tool, alternately.
const VALUED_BOTH = ['-A', '--cafile', '--capath', '--cert', '--ciphers', '-h', '--host', '-i', '-I', '-k', '--key',
  '--keyform', '-L', '-M', '-p', '-P', '--pw', '--proxy', '--psk', '--psk-identity', '-q', '-t', '--tls-alpn',
  '--tls-engine', '--tls-engine-kpass-sha1', '--tls-version', '-u', '--unix', '--will-payload', '--will-qos',
  '--will-topic', '-x', '-V', '--protocol-version', '-D', '--property']
const VALUED_PUB = ['-f', '-m', '--message', '--repeat', '--repeat-delay']
const VALUED_SUB = ['-C', '-F', '--random-filter', '-T', '--filter-out', '-U', '-W']
const half = <X>(list: X[], tool: 'pub' | 'sub', both: (x: X) => boolean = () => false): X[] =>
  list.filter((x, i) => both(x) || i % 2 === (tool === 'pub' ? 0 : 1))

// mosquitto 2.1.2 reports every failed connect as "Error: Bad file descriptor" (its close()
// overwrites errno: a bug); ours names the cause, as 2.0.11 does.
const realErrno = (stderr: string): Partial<DiffCase> => ({ vs: { '2.1': { stderr } } })
// Texts mosquitto 2.1 changed and ours follow: against 2.0.11, ours is 2.1's.
const as21 = (stderr: string): Partial<DiffCase> => ({ vs: { '2.0': { stderr } } })

const missing = (opts: string[]): DiffCase[] => opts.map((o) => ({ name: `${o} without its value`, bare: true, args: [o] }))
const bare = (name: string, args: Arg[], extra: Partial<DiffCase> = {}): DiffCase => ({ name, bare: true, args, ...extra })

// Errors both tools share: the same words, tried on one tool or the other (alternately), except
// where the two tools print differently (`both`).
const shared = (tool: 'pub' | 'sub'): DiffCase[] => half(allShared(tool), tool, (c) => BOTH.has(c.name))
const BOTH = new Set(["-i ''", '--help', '--version', 'v3 bad password: CONNACK 5', 'v5 bad password: CONNACK 134',
  'connection refused', 'an unknown option'])

const allShared = (tool: 'pub' | 'sub'): DiffCase[] => {
  const topic = tool === 'pub' ? ['-t', 't', '-m', 'm'] : ['-t', 't']
  // Where theirs would get past parsing, make the connection fail fast instead of reaching out.
  const dead = ['-h', '127.0.0.1', '-p', '1']
  return [
    bare('an unknown option', ['--bogus']),
    bare('-S (no SRV support in this build)', ['-S', ...topic]),
    bare('no bundling: -dv', ['-dv']),
    bare('no --opt=value: -p=1883', ['-p=1883']),
    bare('a positional word', [...topic, 'word']),
    bare('no -- terminator', ['--', ...topic]),
    // difference: -o FILE is mosquitto 2.1's options file; 2.0.11 calls it an unknown option.
    // 2.1.2 ignores a -o file it cannot read and goes on without it (tspub: "Both topic and message
    // must be supplied" and its usage text); ours says so.
    bare('-o with a file that cannot be read', ['-o', 'file'], { ours: { stderr: `Error: Unable to read options file "file".\n\nUse 'ts${tool} --help' to see usage.\n` },
      vs: { '2.1': { stdout: '' } } }),
    // difference: --ws is mosquitto 2.1's (WebSockets); 2.0.11 calls it an unknown option.
    bare('--ws is accepted, as in 2.1', ['--ws', '-q', '3'], { ours: { stderr: `Error: Invalid QoS given: 3\n\nUse 'ts${tool} --help' to see usage.\n` } }),
    bare('-e belongs to mosquitto_rr', ['-e', 'resp']),
    bare('the first error in argv order wins', ['-q', '3', '-k', '1']),
    bare('-p 65536', ['-p', '65536', ...topic]),
    bare('-p -1', ['-p', '-1', ...topic]),
    bare('-q 3', ['-q', '3', ...topic]),
    bare('--qos -1', ['--qos', '-1', ...topic]),
    bare('--will-qos 3', ['--will-qos', '3', ...topic]),
    bare('-k 4', ['-k', '4', ...topic]),
    bare('-k 0', ['--keepalive', '0', ...topic]),
    bare('-k 65536', ['-k', '65536', ...topic]),
    bare('-M 0', ['-M', '0', ...topic]),
    bare('-V 4', ['-V', '4', ...topic]),
    bare('-V is case-sensitive', ['-V', 'MQTTV5', ...topic]),
    bare('-x not a number', ['-x', '1x', ...topic]),
    bare('-x below -1', ['-x', '-2', ...topic]),
    bare('-x above 4294967295', ['-x', '4294967296', ...topic]),
    bare('-i then -I', ['-i', 'a', '-I', 'b', ...topic]),
    bare('-I then -i', ['-I', 'b', '-i', 'a', ...topic]),
    bare('--will-topic with a wildcard', ['--will-topic', 'w/#', ...topic]),
    bare('--will-topic not UTF-8', ['--will-topic', Buffer.from([0x77, 0xc0, 0x80]), ...topic]),
    bare('--will-payload without --will-topic', ['--will-payload', 'p', ...topic]),
    bare('--will-retain without --will-topic', ['--will-retain', ...topic]),
    bare('-L with an unsupported scheme', ['-L', 'http://127.0.0.1/t'], as21(`Error: Unsupported URL scheme.\n\n${hint(tool)}`)),
    bare('-L without a topic', ['-L', 'mqtt://127.0.0.1:1883']),
    bare('-L with a topic that is not UTF-8', ['-L', Buffer.from('mqtt://127.0.0.1/a\x01', 'latin1')]),
    bare('--cert without --key', ['--cert', 'c.pem', ...topic]),
    bare('--key without --cert', ['--key', 'k.pem', ...topic]),
    bare('--keyform without --key', ['--keyform', 'pem', ...topic]),
    bare('--tls-engine-kpass-sha1 alone', ['--tls-engine-kpass-sha1', 'ab', ...topic]),
    bare('--psk with --cafile', ['--psk', 'abcd', '--psk-identity', 'i', '--cafile', 'ca.pem', ...topic]),
    bare('--psk without --psk-identity', ['--psk', 'abcd', ...topic]),
    bare('-c without an id (v3)', ['-c', ...topic]),
    bare('-c with -I only', ['-c', '-I', 'pre', ...topic]),
    bare('-c with v5 and no id (infinite expiry)', ['-V', '5', '-c', ...topic]),
    bare('-x -1 with v5 and no id', ['-V', '5', '-x', '-1', ...topic]),
    bare('-x ∞ with v5 and no id', ['-V', '5', '-x', '∞', ...topic]),
    bare('-D with too few words', ['-D', 'connect', 'user-property', 'k', ...topic]),
    bare('-D with an unknown command', ['-D', 'nocommand', 'content-type', 'x', ...topic],
      as21(`Error: Invalid command nocommand given in --property argument.\n\n${hint(tool)}`)),
    bare('-D with an unknown property', ['-D', 'publish', 'no-such-property', 'x', ...topic],
      as21(`Error: Invalid property name no-such-property given in --property argument.\n\n${hint(tool)}`)),
    bare('-D suback (a command to mosquitto 2.1)', ['-D', 'suback', 'user-property', 'a', 'b', ...topic],
      as21(`Error: user-property property not supported for suback in --property argument.\n\n${hint(tool)}`)),
    bare('-D property not allowed for the command', ['-D', 'connect', 'content-type', 'x', ...topic]),
    bare('-D property not supported by the client', ['-D', 'subscribe', 'user-property', 'a', 'b', '-D', 'publish', 'subscription-identifier', '1', ...topic]),
    bare('-D value out of range', ['-D', 'publish', 'payload-format-indicator', '256', ...topic]),
    // 2.1.2 no longer checks the property lists before connecting: a bad CONNECT list fails the
    // connect, the others are dropped unsent or (DISCONNECT) hang the exit. Ours refuses them
    // while parsing, as 2.0.11 does.
    bare('-D the same property twice', ['-D', 'publish', 'content-type', 'a', '-D', 'publish', 'content-type', 'b', ...topic, ...dead],
      { vs: { '2.1': { stderr: `Error in PUBLISH properties: Duplicate property in property list\n${hint(tool)}` } } }),
    bare('-D with a value the protocol forbids', ['-D', 'connect', 'receive-maximum', '0', ...topic, ...dead],
      { vs: { '2.1': { stderr: `Error in CONNECT properties: A network protocol error occurred when communicating with the broker\n${hint(tool)}` } } }),
    bare('an error before --help wins', ['-q', '3', '--help']),
    bare('option errors are printed with --quiet', ['--quiet', '-q', '3', ...topic]),
    bare("-i ''", ['-i', '', ...topic]),
    bare('-u not UTF-8', ['-u', Buffer.from([0xff]), ...topic]),
    bare('-P without -u (v3)', ['-P', 'pw', ...topic]),
    // difference: mosquitto exits 1 without a word.
    bare('-i not UTF-8', ['-i', Buffer.from([0x69, 0xff]), ...topic], { ours: { stderr: 'Error: Malformed UTF-8 in -i argument.\n' } }),
    // difference: exit 0 and our own text.
    bare('--help', ['--help'], { ours: { code: 0, stdout: usage(tool) } }),
    bare('--help stops parsing', ['--help', '-q', '3'], { ours: { code: 0, stdout: usage(tool) } }),
    bare('--version', ['--version'], { ours: { code: 0, stdout: new RegExp(`^ts${tool} version \\S+ running on .*\\.\\n$`) } }),
    // Numbers as C's atoi reads them: garbage is 0, what follows the digits is ignored, big values wrap.
    bare('-q x', ['-q', 'x', ...topic, ...dead], realErrno('Error: Connection refused\n')),
    bare('-q 1x', ['-q', '1x', ...topic, ...dead], realErrno('Error: Connection refused\n')),
    bare('-k abc', ['-k', 'abc', ...topic]),
    bare('-p abc (port 0: a unix socket)', ['-p', 'abc', ...topic], realErrno('Error: No such file or directory\n')),
    bare('-M x', ['-M', 'x', ...topic]),
    bare('--will-qos x', ['--will-topic', 'w', '--will-qos', 'x', ...topic, ...dead], realErrno('Error: Connection refused\n')),
    bare('-q 4294967297', ['-q', '4294967297', ...topic, ...dead], realErrno('Error: Connection refused\n')),
    bare('-p 4294968179', ['-p', '4294968179', ...topic, '-h', '127.0.0.1'], realErrno('Error: Connection refused\n')),
    // Runtime errors (§3.1): printed unless --quiet, exit 1.
    bare('connection refused', ['-h', '127.0.0.1', '-p', '1', ...topic], realErrno('Error: Connection refused\n')),
    bare('--quiet hides a runtime error', ['-h', '127.0.0.1', '-p', '1', '--quiet', ...topic]),
    bare('-p 0: localhost as a unix socket path', ['-p', '0', ...topic], realErrno('Error: No such file or directory\n')),
    bare('--unix with a missing socket', ['--unix', '/nonexistent/sock', ...topic], realErrno('Error: No such file or directory\n')),
    bare('-L with an IPv6 literal becomes a socket path', ['-L', 'mqtt://[::1]:1883/t', ...(tool === 'pub' ? ['-m', 'm'] : [])],
      realErrno('Error: No such file or directory\n')),
    bare('DNS lookup failure', ['-h', 'nonexistent.invalid', ...topic]),
    // Names: /etc/hosts read directly (src/transport/resolve.ts), other forms through getaddrinfo.
    bare('-h not UTF-8: a lookup error', ['-h', Buffer.from([0xff]), ...topic]),
    bare('-h localhost, nothing listening', ['-h', 'localhost', '-p', '1', ...topic], realErrno('Error: Connection refused\n')),
    bare('-h LOCALHOST (names compare without case), nothing listening', ['-h', 'LOCALHOST', '-p', '1', ...topic], realErrno('Error: Connection refused\n')),
    bare('-h 127.1 (inet_aton form), nothing listening', ['-h', '127.1', '-p', '1', ...topic], realErrno('Error: Connection refused\n')),
    { name: '-h localhost', args: ['-h', 'localhost', ...LOGIN, ...topic, ...(tool === 'sub' ? ['-W', '1'] : [])] },
    { name: '-A with an address that is not ours', args: ['-A', '10.255.255.1', ...LOGIN, ...topic], ...realErrno('Error: Cannot assign requested address\n') },
    // CONNACK refusals (§3.2): the exit code is the reason code.
    { name: 'v3 bad password: CONNACK 5', args: ['-u', 'alice', '-P', 'wrong', ...topic] },
    { name: 'v3 no credentials: CONNACK 5', args: [...topic] },
    { name: 'v3.1 bad password', args: ['-V', '31', '-u', 'alice', '-P', 'wrong', ...topic] },
    { name: 'v5 bad password: CONNACK 134', args: ['-V', '5', '-u', 'alice', '-P', 'wrong', ...topic] },
    { name: 'v5 no credentials: CONNACK 135', args: ['-V', '5', ...topic] },
    { name: '--quiet hides the CONNACK text', args: ['--quiet', '-u', 'alice', '-P', 'wrong', ...topic] },
  ]
}

const pubOnly: DiffCase[] = [
  ...missing([...half(VALUED_BOTH, 'pub'), ...VALUED_PUB]),
  bare('-C is not a mosquitto_pub option', ['-C', '1']),
  bare('-v is not a mosquitto_pub option', ['-v']),
  bare('-t with a + wildcard', ['-t', 'a/+', '-m', 'm']),
  bare('-t with a # wildcard', ['-t', '#', '-m', 'm']),
  bare('-t with a control character', ['-t', Buffer.from('a\x01b', 'latin1'), '-m', 'm']),
  bare('-t of 65536 bytes', ['-t', 'x'.repeat(65536), '-m', 'm']),
  bare('-t of 65537 bytes', ['-t', 'x'.repeat(65537), '-m', 'm']),
  bare('-L topic with a wildcard', ['-L', 'mqtt://127.0.0.1/a/+', '-m', 'm']),
  bare('-m and -n', ['-t', 't', '-m', 'a', '-n']),
  bare('-f and -l', ['-t', 't', '-f', 'x', '-l']),
  bare('-s and -m', ['-t', 't', '-s', '-m', 'x']),
  bare('-l and -s', ['-l', '--stdin-file']),
  bare('--repeat 0', ['-t', 't', '-m', 'm', '--repeat', '0']),
  bare('--repeat-delay -1', ['-t', 't', '-m', 'm', '--repeat-delay', '-1']),
  bare('-f with a missing file', ['-t', 't', '-f', '/nonexistent/file'],
    as21('Error: Unable to read file "/nonexistent/file": No such file or directory.\nError loading input file "/nonexistent/file".\n')),
  // 2.1.2 forgets the newline after its first line, and adds a garbled second one.
  bare('-f with a directory', ['-t', 't', '-f', '/tmp'], { ours: { stderr: 'Error: /tmp is not a file.\nError loading input file "/tmp".\n' } }),
  bare('-f error comes before the missing topic', ['-f', '/nonexistent/file'],
    as21('Error: Unable to read file "/nonexistent/file": No such file or directory.\nError loading input file "/nonexistent/file".\n')),
  bare('-s with empty stdin', ['-t', 't', '-s'], { stdin: '' }),
  { name: 'v3 publish the ACL denies: dropped in silence, exit 0', args: [...LOGIN, '-t', 'denied/x', '-m', 'm', '-q', '1'] },
  // difference: a v5 PUBACK refusal is a warning and exit 0 for mosquitto; we exit with the reason code.
  { name: 'v5 publish the ACL denies: PUBACK 135', args: [...LOGIN, '-V', '5', '-t', 'denied/x', '-m', 'm', '-q', '1'], ours: { code: 135 } },
  // Every repeat is sent and refused, one warning each (we used to stop at the first).
  { name: 'v5 --repeat 3 the ACL denies: three warnings', args: [...LOGIN, '-V', '5', '-t', 'denied/x', '-m', 'm', '-q', '1', '--repeat', '3'], ours: { code: 135 } },
  { name: 'v5 --repeat 2 the ACL denies, --quiet', args: [...LOGIN, '-V', '5', '-t', 'denied/x', '-m', 'm', '-q', '2', '--repeat', '2', '--quiet'], ours: { code: 135 } },
  // Runtime: addresses the C library refuses (run with tspub only: a tssub that got through would run on).
  bare("-h '' is a lookup error", ['-h', '', '-p', '{port}', '-t', 't', '-m', 'm']),
  bare('-L with an empty host is a lookup error', ['-L', 'mqtt://:{port}/t', '-m', 'm']),
  // difference: refused while parsing, as -p would be (mosquitto fails at connect time).
  bare('-L with a port above 65535', ['-L', 'mqtt://127.0.0.1:99999/t', '-m', 'm'],
    { ours: { stderr: "Error: Invalid port given: 99999\n\nUse 'tspub --help' to see usage.\n" } }),
  bare("--unix ''", ['--unix', '', '-t', 't', '-m', 'm']),
  bare("-A ''", ['-A', '', '-h', '127.0.0.1', '-p', '1', '-t', 't', '-m', 'm']),
  bare('-A with a name that does not resolve', ['-A', 'nonexistent.invalid', '-h', '127.0.0.1', '-p', '1', '-t', 't', '-m', 'm']),
  bare('-A of the other address family', ['-A', '::1', '-h', '127.0.0.1', '-p', '1', '-t', 't', '-m', 'm'],
    realErrno('Error: Address family not supported by protocol\n')),
  // difference: the usage text is ours.
  bare('no topic and no message', [], { ours: { stdout: usage('pub') } }),
  // Numbers as atoi and atof read them: garbage is 0.
  bare('--repeat x', ['-t', 't', '-m', 'm', '--repeat', 'x']),
  bare('--repeat-delay x', ['-t', 't', '-m', 'm', '--repeat-delay', 'x', '-p', '1'], realErrno('Error: Connection refused\n')),
]

const subOnly: DiffCase[] = [
  ...missing([...half(VALUED_BOTH, 'sub'), ...VALUED_SUB]),
  bare('-m is not a mosquitto_sub option', ['-t', 't', '-m', 'x']),
  bare('-r is not a mosquitto_sub option', ['-t', 't', '-r']),
  bare('-l is not a mosquitto_sub option', ['-t', 't', '-l']),
  bare('no -t', [], as21(`Error: You must specify a topic to subscribe to (-t) or unsubscribe from (-U).\n${hint('sub')}`)),
  // mosquitto 2.1: -U alone is a run of its own (2.0.11: the no-topic error).
  bare('-U without -t', ['-U', 'a', '-h', '127.0.0.1', '-p', '1'], { vs: { '2.0': { stderr: 'Error: Connection refused\n' }, '2.1': { stderr: 'Error: Connection refused\n' } } }),
  bare('-t a/b+', ['-t', 'a/b+']),
  bare('-t +a', ['-t', '+a']),
  bare('-t a#', ['-t', 'a#']),
  bare('-t #/a', ['-t', '#/a']),
  bare('-t not UTF-8', ['-t', Buffer.from([0xc3, 0x28])]),
  bare('-T with a bad wildcard', ['-t', 't', '-T', 'a+']),
  bare('-T not UTF-8', ['-t', 't', '-T', Buffer.from([0xed, 0xa0, 0x80])]),
  bare('-U with a bad wildcard', ['-t', 't', '-U', '#/a']),
  bare('-U not UTF-8', ['-t', 't', '--unsubscribe', Buffer.from([0xef, 0xbf, 0xbf])]),
  bare('-L topic that is a bad filter', ['-L', 'mqtt://127.0.0.1/a#']),
  bare('-C 0', ['-t', 't', '-C', '0']),
  bare('-C -1', ['-t', 't', '-C', '-1']),
  bare('-W 0', ['-t', 't', '-W', '0']),
  bare('--random-filter 0.05', ['-t', 't', '--random-filter', '0.05']),
  bare('--random-filter 1000.1', ['-t', 't', '--random-filter', '1000.1']),
  bare('--random-filter 0', ['-t', 't', '--random-filter', '0']),
  bare('-R with --retained-only', ['-t', 't', '-R', '--retained-only']),
  bare('-F with an invalid specifier', ['-t', 't', '-F', '%Z']),
  // Numbers as atoi and atof read them: garbage is 0, what follows the digits is ignored.
  bare('-C 3x', ['-t', 't', '-C', '3x', '-p', '1'], realErrno('Error: Connection refused\n')),
  bare('-W 1.9', ['-t', 't', '-W', '1.9', '-p', '1'], realErrno('Error: Connection refused\n')),
  bare('-W x', ['-t', 't', '-W', 'x']),
  bare('--random-filter x', ['-t', 't', '--random-filter', 'x']),
]

differentialBoth('mosquitto_pub/mosquitto_sub vs tspub/tssub: errors', 'err', [
  { title: 'tspub: errors shared with tssub', kind: 'pub', cases: shared('pub') },
  { title: 'tspub: its own errors', kind: 'pub', cases: pubOnly },
  { title: 'tssub: errors shared with tspub', kind: 'sub', cases: shared('sub') },
  { title: 'tssub: its own errors', kind: 'sub', cases: subOnly },
], { broker: { users: { alice: 'wonderland' } }, acl: 'user alice\ntopic readwrite #\ntopic deny denied/#\n', concurrency: 4 })
