// mosquitto_pub 2.0.11 and 2.1.2 vs tspub, each on its own real broker: every publishing option, -d output, -L,
// --unix and the config file. Besides stdout, stderr and the exit code, a monitor subscribed to
// the case's topic compares what arrived (QoS, retain flag, payload bytes).
//
// Intentional differences encoded here (ours, not theirs):
// | case                                   | mosquitto_pub 2.0.11                     | tspub                               |
// | -t '' / -L mqtt://h:p/ (empty topic)   | connects, prints an error, exits 0       | refused while parsing (as 2.1), 1   |
// | -l with a NUL byte in a line           | cuts the line at the NUL, loses the next | the whole line is published         |
// | config line `-q 1 -r`                  | atoi("1 -r") = 1, -r silently lost       | the same, and a warning on stderr   |
// | --help in the config file              | usage on stdout, exit 1                  | our usage text, exit 0              |
// | topic or message missing               | its usage text on stdout                 | our usage text on stdout            |
import { differentialBoth, type DiffCase } from '../helpers/differential.js'

const BIN = Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0a, 0x0d, 0x80, 0x41])
const ourUsage = (b: Buffer): boolean => b.toString().startsWith('tspub is a simple mqtt client')
// -I: the id ends in the process id, which differs between the two runs.
const pidMasked = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\{id\}-\d+/g, '{id}-<pid>'), 'latin1')

const publishing: DiffCase[] = [
  { name: '-m at QoS 0', args: ['-t', '{T}', '-m', 'hello'] },
  { name: '-m at QoS 1', args: ['-t', '{T}', '-m', 'hello', '-q', '1'] },
  { name: '-m at QoS 2', args: ['-t', '{T}', '--qos', '2', '--message', 'hello'] },
  { name: '-r retains', args: ['-t', '{T}', '-m', 'kept', '-r', '-q', '1'] },
  { name: '--retain, long form', args: ['--topic', '{T}', '-m', 'kept', '--retain'] },
  { name: '-n sends a zero-length message', args: ['-t', '{T}', '-n'] },
  { name: '-n -r clears a retained message', args: ['-t', '{T}', '--null-message', '-r', '-q', '1'] },
  { name: '-m with bytes that are not UTF-8', args: ['-t', '{T}', '-m', BIN.subarray(1)] },
  { name: '-m with a newline and spaces', args: ['-t', '{T}', '-m', ' two\nlines '] },
  { name: '-m "" is an empty payload', args: ['-t', '{T}', '-m', ''] },
  { name: '-m taking a word that starts with a dash', args: ['-t', '{T}', '-m', '-d'] },
  // Quotes are bytes like any other: nothing strips a matching pair.
  { name: '-m with a quoted word keeps the quotes', args: ['-t', '{T}', '-m', '"on"'] },
  { name: "-m '' and -m '\"\"' differ", args: ['-t', '{T}', '-m', "''", '-q', '1'] },
  { name: '-m "a b" in single quotes', args: ['-t', '{T}', '-m', "'a b'"] },
  { name: 'a quoted topic and client id stay quoted', args: ['-t', '"{T}"', '-m', 'x', '-i', "'{id}'", '-d'] },
  { name: 'scalars: the last -q and -i win', args: ['-t', '{T}', '-m', 'x', '-q', '2', '-q', '1', '-i', 'first', '-i', '{id}', '-d'] },
  { name: 'the last -t wins', args: ['-t', '{T}/first', '-t', '{T}/second', '-m', 'x'] },
  { name: 'topics with $, spaces, empty levels and UTF-8', args: ['-t', '{T}/$x/a b//é', '-m', 'x'] },
  { name: '-f sends the file byte for byte', args: ['-t', '{T}', '-f', '{dir}/bin'], files: { bin: BIN } },
  { name: '--file with an empty file', args: ['-t', '{T}', '--file', '{dir}/empty'], files: { empty: '' } },
  { name: '-s sends all of stdin as one message', args: ['-t', '{T}', '-s'], stdin: 'message1\nmessage2' },
  { name: '--stdin-file with binary stdin', args: ['-t', '{T}', '--stdin-file', '-q', '1'], stdin: BIN },
  { name: '-l sends one message per line', args: ['-t', '{T}', '-l'], stdin: 'one\ntwo\nthree\n' },
  { name: '-l keeps \\r, sends empty lines and a last line without \\n', args: ['-t', '{T}', '--stdin-line', '-q', '1'],
    stdin: 'crlf\r\n\n\nlast' },
  { name: '-l at QoS 2 with -r', args: ['-t', '{T}', '-l', '-q', '2', '-r'], stdin: 'a\nb\n' },
  { name: '-l with empty stdin publishes nothing', args: ['-t', '{T}', '-l'], stdin: '' },
  { name: '-l ignores --repeat', args: ['-t', '{T}', '-l', '--repeat', '3'], stdin: 'once\n' },
  { name: '-l with a 3000-byte line', args: ['-t', '{T}', '-l'], stdin: 'x'.repeat(3000) + '\nshort\n' },
  // difference: mosquitto cuts a -l line at a NUL byte and swallows the line after it; we keep both.
  { name: '-l with a NUL byte in a line', args: ['-t', '{T}', '-l'], stdin: Buffer.from('three\0hidden\nlast\n'),
    ours: { delivered: [`0 0 ${Buffer.from('three\0hidden').toString('hex')} {T}`, `0 0 ${Buffer.from('last').toString('hex')} {T}`] } },
  { name: '--repeat 3', args: ['-t', '{T}', '-m', 'again', '--repeat', '3'] },
  { name: '--repeat 2 --repeat-delay 0.2 at QoS 1', args: ['-t', '{T}', '-m', 'r', '--repeat', '2', '--repeat-delay', '0.2', '-q', '1'] },
  { name: '--repeat with -n', args: ['-t', '{T}', '-n', '--repeat', '2'] },
  // difference: mosquitto 2.0.11 connects, fails to publish and exits 0; 2.1 (and ours) refuse the topic.
  { name: "-t '' (empty topic)", args: ['-t', '', '-m', 'x'],
    ours: { code: 1, stderr: "Error: Invalid publish topic '', does it contain '+' or '#'?\n\nUse 'tspub --help' to see usage.\n" } },
]

const debug: DiffCase[] = [
  { name: '-d at QoS 0', args: ['-t', '{T}', '-m', 'hello', '-d'] },
  { name: '-d at QoS 1', args: ['-t', '{T}', '-m', 'hello', '-d', '-q', '1'] },
  { name: '-d at QoS 2 with an id', args: ['-t', '{T}', '-m', 'hello', '--debug', '-q', '2', '-i', '{id}'] },
  { name: '-d -r', args: ['-t', '{T}', '-m', 'x', '-d', '-r'] },
  { name: '-d -n', args: ['-t', '{T}', '-n', '-d'] },
  { name: '-d --repeat 3 at QoS 1: a new mid each time', args: ['-t', '{T}', '-m', 'x', '-d', '-q', '1', '--repeat', '3'] },
  { name: '-d -l at QoS 0', args: ['-t', '{T}', '-l', '-d'], stdin: 'a\nbb\nccc\n' },
  // -M 1: one message in flight at a time, so where the acknowledgements fall in the log is fixed.
  { name: '-d -l -M 1 at QoS 1', args: ['-t', '{T}', '-l', '-d', '-q', '1', '-M', '1'], stdin: 'a\nbb\nccc\n' },
  { name: '-d -l -M 1 at QoS 2', args: ['-t', '{T}', '-l', '-d', '-q', '2', '-M', '1', '-i', '{id}'], stdin: 'a\nbb\n' },
  { name: '-d -V 31 (a generated mosq- id)', args: ['-t', '{T}', '-m', 'x', '-d', '-V', '31'] },
  { name: '-d -V mqttv5 (a broker-assigned id)', args: ['-t', '{T}', '-m', 'x', '-d', '-V', 'mqttv5', '-q', '1'] },
  { name: '-d with -I prefix', args: ['-t', '{T}', '-m', 'x', '-d', '-I', '{id}-'], normalize: pidMasked },
  { name: '-d with a will', args: ['-t', '{T}', '-m', 'x', '-d', '--will-topic', '{T}/will', '--will-payload', 'gone'] },
  { name: '-d --quiet still prints the log', args: ['-t', '{T}', '-m', 'x', '-d', '--quiet'] },
]

const connection: DiffCase[] = [
  { name: '-i', args: ['-t', '{T}', '-m', 'x', '-i', '{id}'] },
  { name: '--id-prefix', args: ['-t', '{T}', '-m', 'x', '--id-prefix', '{id}-'] },
  { name: '-c with -i', args: ['-t', '{T}', '-m', 'x', '-c', '-i', '{id}', '-q', '1'] },
  { name: '--disable-clean-session with --id', args: ['-t', '{T}', '-m', 'x', '--disable-clean-session', '--id', '{id}'] },
  { name: '-k 5', args: ['-t', '{T}', '-m', 'x', '-k', '5'] },
  { name: '--keepalive 65535', args: ['-t', '{T}', '-m', 'x', '--keepalive', '65535'] },
  { name: '-M 1 with -l at QoS 1', args: ['-t', '{T}', '-l', '-M', '1', '-q', '1'], stdin: '1\n2\n3\n4\n' },
  { name: '-V 31', args: ['-t', '{T}', '-m', 'x', '-V', '31'] },
  { name: '-V mqttv311', args: ['-t', '{T}', '-m', 'x', '-V', 'mqttv311'] },
  { name: '--protocol-version 5', args: ['-t', '{T}', '-m', 'x', '--protocol-version', '5', '-q', '2'] },
  { name: '-x 60 with v5', args: ['-t', '{T}', '-m', 'x', '-V', '5', '-x', '60', '-i', '{id}'] },
  { name: '-x is ignored with v3', args: ['-t', '{T}', '-m', 'x', '-x', '0x10'] },
  { name: '-c -x 0 with v5 and no id', args: ['-t', '{T}', '-m', 'x', '-V', '5', '-c', '-x', '0'], timeoutMs: 4000 },
  { name: '-c -x 0 with v5 and an id', args: ['-t', '{T}', '-m', 'x', '-V', '5', '-c', '-x', '0', '-i', '{id}'] },
  { name: '-u and -P', args: ['-t', '{T}', '-m', 'x', '-u', 'someone', '--pw', 'secret'] },
  { name: '--username alone', args: ['-t', '{T}', '-m', 'x', '--username', 'someone'] },
  { name: '-A 127.0.0.1', args: ['-t', '{T}', '-m', 'x', '-A', '127.0.0.1'] },
  { name: '-A with a host name', args: ['-t', '{T}', '-m', 'x', '-A', 'localhost'] },
  { name: '--nodelay', args: ['-t', '{T}', '-m', 'x', '--nodelay', '-q', '1'] },
  { name: 'will options', args: ['-t', '{T}', '-m', 'x', '--will-topic', '{T}/w', '--will-payload', 'p', '--will-qos', '2', '--will-retain'] },
  { name: '--will-qos without a will topic is ignored', args: ['-t', '{T}', '-m', 'x', '--will-qos', '1'] },
  { name: '--quiet on success', args: ['-t', '{T}', '-m', 'x', '--quiet'] },
  { name: '--quiet hides a refused connection', bare: true, args: ['-h', '127.0.0.1', '-p', '1', '-t', '{T}', '-m', 'x', '--quiet'] },
  { name: '-L mqtt://host:port/topic', bare: true, args: ['-L', 'mqtt://127.0.0.1:{port}/{T}', '-m', 'x'] },
  { name: '--url with user:password@ and a deep topic', bare: true, args: ['--url', 'mqtt://u:p@127.0.0.1:{port}/{T}/a/b', '-m', 'x', '-q', '1'] },
  { name: '-L scheme is case-insensitive', bare: true, args: ['-L', 'MQTT://127.0.0.1:{port}/{T}', '-m', 'x'] },
  { name: 'a later -p overrides -L', bare: true, args: ['-L', 'mqtt://127.0.0.1:1/{T}', '-p', '{port}', '-m', 'x'] },
  { name: 'a later -t overrides the -L topic', bare: true, args: ['-L', 'mqtt://127.0.0.1:{port}/{T}/url', '-t', '{T}/t', '-m', 'x'] },
  { name: '-L without a port means 1883', bare: true, args: ['-L', 'mqtt://127.0.0.1/{T}', '-m', 'x', '--quiet'] },
  // difference: as -t '' — mosquitto 2.0.11 exits 0 after failing to publish to the empty topic.
  { name: '-L with an empty topic', bare: true, args: ['-L', 'mqtt://127.0.0.1:{port}/', '-m', 'x'],
    ours: { code: 1, stderr: "Error: Invalid publish topic '', does it contain '+' or '#'?\n\nUse 'tspub --help' to see usage.\n" } },
  { name: '--unix', bare: true, args: ['--unix', '{sock}', '-t', '{T}', '-m', 'x', '-q', '1'] },
  { name: '-p 0 with -h as the socket path', bare: true, args: ['-h', '{sock}', '-p', '0', '-t', '{T}', '-m', 'x'] },
  { name: 'a later -p overrides --unix', bare: true, args: ['--unix', '/nonexistent', '-h', '127.0.0.1', '-p', '{port}', '-t', '{T}', '-m', 'x'] },
  // mosquitto 2.1.2 says "Bad file descriptor" for every failed connect (a bug); ours names the cause.
  { name: '--unix with a missing socket', bare: true, args: ['--unix', '{dir}/missing.sock', '-t', '{T}', '-m', 'x'],
    vs: { '2.1': { stderr: 'Error: No such file or directory\n' } } },
  { name: '-d over --unix', bare: true, args: ['--unix', '{sock}', '-t', '{T}', '-m', 'x', '-d'] },
  { name: '--host and --port', bare: true, args: ['--host', '127.0.0.1', '--port', '{port}', '-t', '{T}', '-m', 'x'] },
  { name: 'the connection closed before CONNACK: exit 7', bare: true, args: ['-h', '127.0.0.1', '-p', '{closer}', '-t', '{T}', '-m', 'x'] },
  { name: '-d, closed before CONNACK', bare: true, args: ['-h', '127.0.0.1', '-p', '{closer}', '-t', '{T}', '-m', 'x', '-d'] },
]

const config: DiffCase[] = [
  { name: 'config: topic and message from the file', config: '-t {T}\n-m from file\n', args: [] },
  { name: 'config: argv overrides a scalar', config: '-t {T}\n-q 2\n', args: ['-m', 'x', '-q', '1'] },
  { name: 'config: comments, blank lines and CRLF', config: '# a comment\r\n\r\n-t {T}\r\n  -m indented\r\n', args: [] },
  { name: 'config: an indented # is not a comment', config: ' #x y\n', args: ['-t', '{T}', '-m', 'x'] },
  { name: 'config: trailing spaces stay in the value', config: '-t {T}/sp  \n', args: ['-m', 'x'] },
  { name: 'config: a tab is part of the token', config: '-m\tx\n', args: ['-t', '{T}'] },
  { name: 'config: two flags on one line', config: '-d -r\n', args: ['-t', '{T}', '-m', 'x'] },
  { name: 'config: -m in the file and in argv', config: '-m one\n', args: ['-t', '{T}', '-m', 'two'] },
  { name: 'config: -i in the file, -I in argv', config: '-i {id}\n', args: ['-t', '{T}', '-m', 'x', '-I', 'p'] },
  { name: 'config: an option missing its value', config: '-t\n', args: ['-m', 'x'] },
  { name: 'config: an unknown option', config: '--bogus 1\n', args: ['-t', '{T}', '-m', 'x'] },
  { name: 'config: read from ~/.config when XDG_CONFIG_HOME is unset', config: '-t {T}\n-m home\n', configViaHome: true, args: [] },
  { name: 'config: a NUL byte ends the line', config: Buffer.from('-m ab\0cd\n-t {T}\n'), args: [] },
  { name: 'config: a value keeps its leading spaces', config: '-m   three\n', args: ['-t', '{T}'] },
  { name: 'config: a quoted value keeps its quotes', config: '-m "quoted"\n', args: ['-t', '{T}'] },
  { name: 'config: only trailing \\r and \\n are cut', config: '-m a\rb\r\r\n', args: ['-t', '{T}'] },
  { name: 'config: an option and one space is an option alone', config: '-m \n', args: ['-t', '{T}'] },
  { name: 'config: a line of spaces is blank', config: '   \n-m x\n', args: ['-t', '{T}'] },
  // difference: our usage text on stdout.
  { name: 'config: a set XDG_CONFIG_HOME hides ~/.config, even without the file', config: '-m home\n', configViaHome: true,
    env: { XDG_CONFIG_HOME: '/nonexistent-xdg-dir' }, args: ['-t', '{T}'], ours: { stdout: ourUsage } },
  { name: 'config: a line over 1023 bytes is split', config: `-m ${'y'.repeat(1020)}-r\n`, args: ['-t', '{T}'] },
  // difference: mosquitto reads "1 -r" with atoi as 1 and loses -r without a word; we read it the same and say so.
  { name: 'config: -q 1 -r on one line', config: '-q 1 -r\n', args: ['-t', '{T}', '-m', 'x'],
    ours: { stderr: "Warning: the options file line '-q 1 -r' sets only -q: '-r' is ignored (one option per line).\n" } },
  // difference: --help exits 0 with our usage text.
  { name: 'config: --help in the file', config: '--help\n', args: ['-t', '{T}', '-m', 'x'], ours: { code: 0, stdout: ourUsage } },
  // difference: our usage text on stdout.
  { name: 'no message: the error and the usage', args: ['-t', '{T}'], ours: { stdout: ourUsage } },
  { name: 'no topic: the error and the usage', args: ['-m', 'x'], ours: { stdout: ourUsage } },
  { name: 'no topic with -l', args: ['-l'], stdin: 'a\n', ours: { stdout: ourUsage } },
]

differentialBoth('mosquitto_pub vs tspub', 'pub', [
  { title: 'publishing', kind: 'pub', cases: publishing },
  { title: '-d output', kind: 'pub', cases: debug },
  { title: 'connection options', kind: 'pub', cases: connection },
  { title: 'config file and usage', kind: 'pub', cases: config },
], { concurrency: 3 })
