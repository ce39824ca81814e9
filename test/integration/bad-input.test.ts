// Bad input from the user (issue 6): invalid command lines, files, stdin and config files. Each
// gets exactly mosquitto's stderr and exit status where mosquitto is right, and our own clear
// text where we deliberately differ (the `why` of the row says so). Rows marked `same` are also
// run through mosquitto_pub/mosquitto_sub 2.0.11 when installed, and must match byte for byte (its
// library texts put in mosquitto 2.1's words, which ours follow).
//
// Every run points at 127.0.0.1 port 1, where nothing listens: a command line that is accepted
// after all ends with "Error: Connection refused" instead of waiting for a broker.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { connack, puback, startFakeBroker, type Step } from '../helpers/fake-broker.js'
import { mosquittoClient } from '../helpers/mosquitto.js'
import { libraryTexts21 } from '../helpers/mosquitto-texts.js'
import { binPath, runCli, type RunOptions, type RunResult } from '../helpers/run-cli.js'

const MAX = 268435455
const TARGET = ['-h', '127.0.0.1', '-p', '1']
const REFUSED = 'Error: Connection refused\n'

// mosquitto's usage hint, as printed after most option errors.
const hint = (tool: string): string => `\nUse '${tool} --help' to see usage.\n`
const pubErr = (text: string): string => text + hint('tspub')
const subErr = (text: string): string => text + hint('tssub')
const bytes = (hexString: string): Buffer => Buffer.from(hexString, 'hex')

// Files the rows refer to, made in before().
let dir = ''
const at = (name: string): string => path.join(dir, name)

const LONG = 'x'.repeat(65536)

interface Row {
  tool: 'tspub' | 'tssub'
  args: (string | Buffer)[]
  // The exact stderr (a Buffer where it holds bytes that are not UTF-8).
  stderr: string | Buffer
  code?: number
  // True: mosquitto 2.0.11 prints exactly this too. Otherwise `why` says why we differ.
  same?: boolean
  why?: string
  stdin?: () => RunOptions['stdin']
  // How the test names the stdin above.
  input?: string
  // Content of the options file $XDG_CONFIG_HOME/mosquitto_<tool>, which both read.
  config?: string | Buffer
  // Run without root's power to read any file (tests run as root, for whom chmod 000 does not stop
  // reading): still root, so a checkout only root may enter still works.
  noReadOverride?: boolean
  todo?: string
}

// Stdin that produces `size` bytes of "a" without ever holding them: one 1 MB chunk, reused.
function generator(size: number): Readable {
  const chunk = Buffer.alloc(1 << 20, 0x61)
  let left = size
  return new Readable({
    read() {
      if (left <= 0) return this.push(null)
      const n = Math.min(left, chunk.length)
      left -= n
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n))
    },
  })
}

const rows: Row[] = [
  // Values out of range.
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-q', '3'], stderr: pubErr('Error: Invalid QoS given: 3\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-q', '-1'], stderr: pubErr('Error: Invalid QoS given: -1\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-q', '3'], stderr: subErr('Error: Invalid QoS given: 3\n'), same: true },
  // Numbers are read with C's atoi, as mosquitto reads them: saturated to a long, cut to an int.
  { tool: 'tssub', args: ['-t', 't', '-q', '+0099999999999999999999'], stderr: subErr('Error: Invalid QoS given: -1\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-C', '-12345678901234567891'], stderr: subErr('Error: Invalid message count "0".\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-W', '2147483648'], stderr: subErr('Error: Invalid timeout "-2147483648".\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-p', '65536'], stderr: pubErr('Error: Invalid port given: 65536\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-p', '-1'], stderr: pubErr('Error: Invalid port given: -1\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-k', '4'], stderr: pubErr('Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-k', '65536'], stderr: subErr('Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-M', '0'], stderr: pubErr('Error: Maximum inflight messages must be greater than 0.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--will-qos', '3'], stderr: pubErr('Error: Invalid will QoS 3.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-V', '6'], stderr: pubErr('Error: Invalid protocol version argument given.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat', '0'], stderr: pubErr('Error: --repeat argument must be >0.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat-delay', '-1'], stderr: pubErr('Error: --repeat-delay argument must be >=0.0.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-x', '4294967296'], stderr: pubErr('Error: session-expiry-interval out of range.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-x', 'foo'], stderr: pubErr('Error: session-expiry-interval not a number.\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-C', '0'], stderr: subErr('Error: Invalid message count "0".\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-W', '0'], stderr: subErr('Error: Invalid timeout "0".\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '--random-filter', '0'], stderr: subErr('Error: --random-filter chance must be between 0.1-100.0\n\n'), same: true },
  // mosquitto stores the chance x10 and checks <= 10000, so 101 passes and 1001 does not.
  { tool: 'tssub', args: ['-t', 't', '--random-filter', '1001'], stderr: subErr('Error: --random-filter chance must be between 0.1-100.0\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-D', 'connect', 'receive-maximum', '0'],
    stderr: pubErr('Error in CONNECT properties: A network protocol error occurred when communicating with the broker\n'), same: true },

  // Not numbers: atoi reads them as 0, or up to the first byte that is not a digit (as mosquitto).
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-q', 'x'], stderr: REFUSED, same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-q', '1.5', '--will-topic', 'w', '--will-qos', '1.0'], stderr: REFUSED, same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-k', '60.5', '-M', '1x', '--repeat', '1e2'], stderr: REFUSED, same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-k', 'abc'], stderr: pubErr('Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat', '0.5'], stderr: pubErr('Error: --repeat argument must be >0.\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-W', 'x'], stderr: subErr('Error: Invalid timeout "0".\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-W', '1.5', '-C', '1x'], stderr: REFUSED, same: true },
  { tool: 'tssub', args: ['-t', 't', '-C', 'many'], stderr: subErr('Error: Invalid message count "0".\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-x', ' 010', '-V', '5'], stderr: REFUSED, same: true },
  { tool: 'tssub', args: ['-t', 't', '-x', '10 '], stderr: subErr('Error: session-expiry-interval not a number.\n\n'), same: true },
  // Fractions are read with C's atof: garbage is 0, hex floats count.
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat-delay', 'x'], stderr: REFUSED, same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat-delay', '0x1p-2', '--repeat', '2'], stderr: REFUSED, same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat-delay', '-inf'], stderr: pubErr('Error: --repeat-delay argument must be >=0.0.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat-delay', '1e400'], stderr: pubErr("Error: --repeat-delay argument given but '1e400' is out of range.\n\n"),
    why: 'mosquitto casts infinity to an int (undefined behaviour): no delay at all' },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--repeat-delay', 'nan'], stderr: pubErr("Error: --repeat-delay argument given but 'nan' is not a number.\n\n"),
    why: 'mosquitto casts NaN to an int (undefined behaviour): no delay at all' },
  { tool: 'tssub', args: ['-t', 't', '--random-filter', 'x'], stderr: subErr('Error: --random-filter chance must be between 0.1-100.0\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '--random-filter', 'nan'], stderr: subErr('Error: --random-filter chance must be between 0.1-100.0\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '--random-filter', '1e300'], stderr: subErr('Error: --random-filter chance must be between 0.1-100.0\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '--random-filter', '1000.09'], stderr: REFUSED, same: true },
  { tool: 'tssub', args: ['-t', 't', '--random-filter', '50%'], stderr: REFUSED, same: true },

  // Conflicting or incomplete options.
  { tool: 'tspub', args: ['-t', 't', '-m', 'a', '-f', 'x'], stderr: pubErr('Error: Only one type of message can be sent at once.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'a', '-l'], stderr: pubErr('Error: Only one type of message can be sent at once.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-s', '-n'], stderr: pubErr('Error: Only one type of message can be sent at once.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'a', '-i', 'a', '-I', 'b'], stderr: pubErr('Error: -i and -I argument cannot be used together.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'a', '--will-payload', 'x'], stderr: pubErr('Error: Will payload given, but no will topic given.\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'a', '--will-retain'], stderr: pubErr('Error: Will retain given, but no will topic given.\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-R', '--retained-only'], stderr: "\nError: Combining '-R' and '--retained-only' makes no sense.\n", same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-c'], stderr: pubErr('Error: You must provide a client id if you are using the -c option.\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-P', 'pw'], stderr: 'Error: Problem setting username and/or password.\n', same: true },
  { tool: 'tssub', args: ['-t', 't', '-i', ''], stderr: 'Error: Invalid id and/or clean_session.\n', same: true },

  // Missing values, unknown words.
  { tool: 'tspub', args: ['-m', 'x', '-t'], stderr: pubErr('Error: -t argument given but no topic specified.\n\n'), same: true },
  { tool: 'tssub', args: [], stderr: subErr('Error: You must specify a topic to subscribe to (-t) or unsubscribe from (-U).\n'), why: 'as mosquitto 2.1 (2.0.11: without "(-t) or unsubscribe from (-U)")' },
  // (The full usage goes to stdout here, as mosquitto does.)
  { tool: 'tspub', args: ['-t', 't'], stderr: 'Error: Both topic and message must be supplied.\n', same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--foo'], stderr: pubErr("Error: Unknown option '--foo'.\n"), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', 'extra'], stderr: pubErr("Error: Unknown option 'extra'.\n"), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-p=1883'], stderr: pubErr("Error: Unknown option '-p=1883'.\n"), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-D', 'publish', 'user-property', 'k'], stderr: pubErr('Error: --property argument given but not enough arguments specified.\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-F', '%'], stderr: subErr('Error: Incomplete format specifier.\n'), same: true },

  // Topics.
  { tool: 'tspub', args: ['-t', 'a/+', '-m', 'x'], stderr: pubErr("Error: Invalid publish topic 'a/+', does it contain '+' or '#'?\n"), same: true },
  { tool: 'tssub', args: ['-t', 'a/#/b'], stderr: subErr("Error: Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?\n"), same: true },
  { tool: 'tssub', args: ['-t', 't', '-T', 'a+'], stderr: subErr("Error: Invalid filter topic 'a+', are all '+' and '#' wildcards correct?\n"), same: true },
  { tool: 'tssub', args: ['-t', 't', '-U', 'a#b'], stderr: subErr("Error: Invalid unsubscribe topic 'a#b', are all '+' and '#' wildcards correct?\n"), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--will-topic', 'a/#'], stderr: pubErr("Error: Invalid will topic 'a/#', does it contain '+' or '#'?\n"), same: true },
  { tool: 'tspub', args: ['-t', 'a'.repeat(65536), '-m', 'x'], stderr: pubErr(`Error: Invalid publish topic '${'a'.repeat(65536)}', does it contain '+' or '#'?\n`), same: true },
  { tool: 'tspub', args: ['-t', '', '-m', 'x'], stderr: pubErr("Error: Invalid publish topic '', does it contain '+' or '#'?\n"), why: 'as mosquitto 2.1; 2.0.11 connects, fails and exits 0' },
  // An empty filter is sent, as mosquitto sends it (the broker then drops the connection; see the
  // differential cases), wherever -t '' stands on the command line.
  { tool: 'tssub', args: ['-t', ''], stderr: subErr("Error: Invalid subscription topic '', are all '+' and '#' wildcards correct?\n"), why: 'as mosquitto 2.1 (2.0.11 subscribes)' },

  // Topics and names that are not valid UTF-8 (raw argv bytes; contract §4.1).
  { tool: 'tspub', args: ['-t', bytes('ff'), '-m', 'x'], stderr: pubErr('Error: Malformed UTF-8 in -t argument.\n\n'), same: true },
  { tool: 'tssub', args: ['-t', bytes('c080')], stderr: subErr('Error: Malformed UTF-8 in -t argument.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', bytes('eda080'), '-m', 'x'], stderr: pubErr('Error: Malformed UTF-8 in -t argument.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', bytes('e282'), '-m', 'x'], stderr: pubErr('Error: Malformed UTF-8 in -t argument.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', bytes('efbfbf'), '-m', 'x'], stderr: pubErr('Error: Malformed UTF-8 in -t argument.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', bytes('610162'), '-m', 'x'], stderr: pubErr('Error: Malformed UTF-8 in -t argument.\n\n'), same: true },
  { tool: 'tssub', args: ['-t', 't', '-T', bytes('ff')], stderr: subErr('Error: Malformed UTF-8 in -T argument.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--will-topic', bytes('ff')], stderr: pubErr('Error: Malformed UTF-8 in --will-topic argument.\n\n'), same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-u', bytes('ff')], stderr: 'Error: Problem setting username and/or password.\n', same: true },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-i', bytes('ff')], stderr: 'Error: Malformed UTF-8 in -i argument.\n', why: 'mosquitto exits 1 silently' },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-I', bytes('ff')], stderr: 'Error: Malformed UTF-8 in -I argument.\n',
    why: 'mosquitto exits 1 silently' },

  // Files and stdin.
  { tool: 'tspub', args: ['-t', 't', '-f', '@missing'], stderr: 'Error: Unable to read file "@missing": No such file or directory.\nError loading input file "@missing".\n',
    why: 'as mosquitto 2.1 (2.0.11: Unable to open file "x".)' },
  { tool: 'tspub', args: ['-t', 't', '-f', '@'], stderr: 'Error: @ is not a file.\nError loading input file "@".\n',
    why: "mosquitto 2.1's first line, with its newline (2.0.11: the size error)" },
  { tool: 'tspub', args: ['-t', 't', '-f', '@unreadable'], noReadOverride: true,
    stderr: 'Error: Unable to read file "@unreadable": Permission denied.\nError loading input file "@unreadable".\n', why: 'as mosquitto 2.1' },
  { tool: 'tspub', args: ['-t', 't', '-f', '@too-big'], stderr: 'Error: File must be less than 268435455 bytes.\n\nError loading input file "@too-big".\n', same: true },
  { tool: 'tspub', args: ['-t', 't', '-f', '@largest'], stderr: REFUSED, same: true },
  // An empty regular file is an empty message; /dev/null is just as empty.
  { tool: 'tspub', args: ['-t', 't', '-f', '/dev/null'], stderr: REFUSED, same: true },
  { tool: 'tspub', args: ['-t', 't', '-s'], stdin: () => '', input: 'empty stdin', stderr: 'Error: Zero length input.\nError loading input from stdin.\n', same: true },
  { tool: 'tspub', args: ['-t', 't', '-s'], stdin: () => generator(MAX + 1), input: '268435456 bytes on stdin',
    stderr: 'Error: Message length must be less than 268435455 bytes.\n\nError loading input from stdin.\n', why: 'mosquitto prints the same, then dies of SIGSEGV' },

  // The config file ($XDG_CONFIG_HOME/tspub): read first, errors reported like argv errors.
  { tool: 'tspub', config: 'garbage line\n', args: ['-t', 't', '-m', 'x'], stderr: pubErr("Error: Unknown option 'garbage'.\n"), same: true },
  { tool: 'tspub', config: '-q 7\n', args: ['-t', 't', '-m', 'x'], stderr: pubErr('Error: Invalid QoS given: 7\n'), same: true },
  { tool: 'tspub', config: bytes('fffe0a'), args: ['-t', 't', '-m', 'x'],
    stderr: Buffer.concat([Buffer.from("Error: Unknown option '"), bytes('fffe'), Buffer.from(pubErr("'.\n"))]), same: true },
  { tool: 'tspub', config: '-t\n', args: ['-m', 'x'], stderr: pubErr('Error: -t argument given but no topic specified.\n\n'), same: true },
  { tool: 'tspub', config: '-m x\n', args: ['-t', 't', '-m', 'y'], stderr: pubErr('Error: Only one type of message can be sent at once.\n\n'), same: true },
  { tool: 'tspub', config: '-q 1 -r\n', args: ['-t', 't', '-m', 'x'],
    stderr: "Warning: the options file line '-q 1 -r' sets only -q: '-r' is ignored (one option per line).\n" + REFUSED,
    why: 'mosquitto reads QoS 1 and drops -r without a word' },
  { tool: 'tssub', config: '-k 30 # a comment\n-C 2x\n', args: ['-t', 't'], stderr: REFUSED, same: true },
  { tool: 'tssub', config: '-W x\n', args: ['-t', 't'], stderr: subErr('Error: Invalid timeout "0".\n\n'), same: true },
  { tool: 'tssub', config: '-t a/#/b\n', args: [], stderr: subErr("Error: Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?\n"), same: true },
  // A NUL ends the line (fgets + C strings), so the value is empty.
  { tool: 'tspub', config: Buffer.from('-t \0abc\n', 'latin1'), args: ['-m', 'x'], stderr: pubErr('Error: -t argument given but no topic specified.\n\n'), same: true },

  // -L and the connection itself.
  { tool: 'tspub', args: ['-L', 'foo://h/t', '-m', 'x'], stderr: pubErr('Error: Unsupported URL scheme.\n\n'), why: 'as mosquitto 2.1 (2.0.11: "unsupported")' },
  { tool: 'tspub', args: ['-L', 'mqtt://127.0.0.1', '-m', 'x'], stderr: pubErr('Error: Invalid URL for -L argument specified - topic missing.\n'), same: true },
  { tool: 'tspub', args: ['-L', 'mqtt://127.0.0.1:99999/t', '-m', 'x'], stderr: pubErr('Error: Invalid port given: 99999\n'),
    why: 'mosquitto: "Unable to connect (Invalid input)."' },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-A', '192.0.2.1'], stderr: 'Error: Cannot assign requested address\n', same: true },

  // mosquitto checks these even when TLS is not used; we add a line saying what is wrong.
  { tool: 'tssub', args: ['-t', 't', '--tls-engine', 'x'],
    stderr: 'Error: Problem setting TLS engine, is x a valid engine?\nError: --tls-engine is not supported: Node.js cannot load OpenSSL engines.\n',
    why: 'one more line' },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--tls-version', 'tlsv9'],
    stderr: 'Error: Problem setting TLS options, check the options are valid.\nError: --tls-version must be tlsv1.3, tlsv1.2 or tlsv1.1, not "tlsv9".\n',
    why: 'one more line' },

  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--unix', `/tmp/${'s'.repeat(103)}`], stderr: 'Unable to connect (Invalid input).\n', same: true },

  // CONNECT fields have a 2-byte length: 65,536 bytes is one too many.
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-u', LONG], stderr: 'Error: Problem setting username and/or password.\n', same: true },
  { tool: 'tssub', args: ['-t', 't', '-u', 'u', '-P', LONG], stderr: 'Error: Problem setting username and/or password.\n',
    why: 'mosquitto sends the password cut short; the broker drops the connection' },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '-i', LONG], stderr: 'Error: The client id is longer than 65535 bytes.\n',
    why: 'mosquitto sends the id cut short; the broker drops the connection' },
  { tool: 'tssub', args: ['-t', 't', '-I', LONG], stderr: 'Error: The client id is longer than 65535 bytes.\n',
    why: 'mosquitto exits 1 without a word' },
  { tool: 'tspub', args: ['-t', 't', '-m', 'x', '--will-topic', 'w', '--will-payload', LONG], stderr: 'Error: The will payload is longer than 65535 bytes.\n',
    why: 'mosquitto sends the payload cut short; the broker drops the connection' },
]

// Paths in rows: '@name' is a file in the test's dir, '@' the dir itself.
function resolve(a: string | Buffer): string | Buffer {
  if (typeof a !== 'string' || !a.startsWith('@')) return a
  return a === '@' ? dir : at(a.slice(1))
}

function resolveText(s: string | Buffer): Buffer {
  const text = Buffer.isBuffer(s) ? s.toString('latin1') : s
  const named = text.replace(/"@([a-z-]*)"/g, (_m, name: string) => `"${name === '' ? dir : at(name)}"`).replace('Error: @ is', `Error: ${dir} is`)
  return Buffer.from(named, Buffer.isBuffer(s) ? 'latin1' : 'utf8')
}

function label(row: Row): string {
  const show = (a: string | Buffer): string => Buffer.isBuffer(a) ? `$'${[...a].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}'`
    : a === '' ? "''" : a.length > 40 ? `${a.slice(0, 12)}...(${a.length} bytes)` : a
  const cfg = row.config !== undefined ? `[config ${JSON.stringify(Buffer.from(row.config).toString('latin1'))}] ` : ''
  const limited = row.noReadOverride ? '[no read override] ' : ''
  const input = row.input !== undefined ? ` < ${row.input}` : ''
  return `${row.tool} ${cfg}${limited}${row.args.map(show).join(' ')}${input}`.trim()
}

const isRoot = process.getuid?.() === 0
const setpriv = spawnSync('setpriv', ['--version']).status === 0

// Runs the row with our tool or mosquitto's; `bin` is 'ours' or the mosquitto client path.
async function runRow(row: Row, which: 'ours' | 'mosquitto'): Promise<RunResult> {
  const name = row.tool === 'tspub' ? 'mosquitto_pub' : 'mosquitto_sub'
  let env: Record<string, string> | undefined
  if (row.config !== undefined) {
    const cfg = fs.mkdtempSync(path.join(dir, 'cfg-'))
    fs.writeFileSync(path.join(cfg, name), row.config)
    env = { XDG_CONFIG_HOME: cfg }
  }
  const args = [...TARGET, ...row.args.map(resolve)]
  const opts: RunOptions = { env, stdin: row.stdin?.(), timeoutMs: 8000 }
  if (row.noReadOverride && isRoot && setpriv) {
    const program = which === 'ours' ? [binPath(row.tool)] : [mosquittoClient(name as 'mosquitto_pub')!]
    return runCli('setpriv', ['--bounding-set=-dac_override,-dac_read_search', ...program, ...args], opts)
  }
  return runCli(which === 'ours' ? row.tool : mosquittoClient(name as 'mosquitto_pub')!, args, opts)
}

before(() => {
  // Readable and traversable by anyone, so that only the file's own mode stops it.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-bad-input-'))
  fs.chmodSync(dir, 0o755)
  fs.writeFileSync(at('unreadable'), 'secret\n', { mode: 0o000 })
  fs.chmodSync(at('unreadable'), 0o000)
  // Sparse: 256 MB of nothing on disk.
  for (const [name, size] of [['too-big', MAX + 1], ['largest', MAX]] as const) {
    const fd = fs.openSync(at(name), 'w')
    fs.ftruncateSync(fd, size)
    fs.closeSync(fd)
  }
})

after(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('invalid command lines and inputs', { concurrency: 4 }, () => {
  for (const row of rows) {
    test(label(row), { todo: row.todo }, async (t) => {
      if (row.noReadOverride && isRoot && !setpriv) return t.skip('running as root without setpriv: cannot drop the read permission')
      const ours = await runRow(row, 'ours')
      const expected = resolveText(row.stderr)
      assert.doesNotMatch(ours.stderr, /^ {4}at |node:internal/m)
      assert.equal(ours.stderrBuf.toString('latin1'), expected.toString('latin1'), `stderr of ${label(row)}`)
      assert.equal(ours.code, row.code ?? 1, `exit status of ${label(row)}`)
      if (row.same === true && mosquittoClient('mosquitto_pub') !== undefined) {
        const theirs = await runRow(row, 'mosquitto')
        const text = libraryTexts21(theirs.stderrBuf.toString('latin1')).replaceAll('mosquitto_pub', 'tspub').replaceAll('mosquitto_sub', 'tssub')
        assert.equal(text, expected.toString('latin1'), 'mosquitto 2.0.11 prints something else: the row is wrong')
        assert.equal(theirs.code, row.code ?? 1, 'mosquitto 2.0.11 exits differently: the row is wrong')
      }
    })
  }

  test('the table has at least 40 rows', () => {
    assert.ok(rows.length >= 40, `${rows.length} rows`)
  })
})

describe('inputs that need a broker', { concurrency: 3 }, () => {
  const accept: Step[] = [{ expect: { cmd: 'connect' } }, { send: connack(0) }]

  // mosquitto_pub -l grows its line buffer by 1 KB at a time and does not finish in 20 s.
  test('tspub -l with a line over 268435455 bytes: one error line, exit 1, quickly', async () => {
    const broker = await startFakeBroker(accept)
    try {
      const start = Date.now()
      const r = await runCli('tspub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 't', '-l', '-q', '1'],
        { stdin: generator(MAX + 10), timeoutMs: 15_000 })
      assert.equal(r.stderr, 'Error: Message length must be less than 268435455 bytes.\n')
      assert.equal(r.code, 1)
      assert.equal(broker.received.filter((p) => p.cmd === 'publish').length, 0)
      assert.ok(Date.now() - start < 10_000)
    } finally {
      await broker.close()
    }
  })

  // Issue 6: in a -l line a NUL is payload data and is kept (mosquitto cuts the line at the NUL
  // and swallows the next one: contract §6.4).
  test('tspub -l keeps a NUL byte inside a line', async () => {
    const broker = await startFakeBroker([
      ...accept,
      { expect: { cmd: 'publish', payload: Buffer.from('three\0hidden') } },
      { sendFn: (last) => puback(last.messageId) },
      { expect: { cmd: 'publish', payload: 'last' } },
      { sendFn: (last) => puback(last.messageId) },
      { expect: { cmd: 'disconnect' } },
    ])
    try {
      const r = await runCli('tspub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 't', '-l', '-q', '1'], { stdin: Buffer.from('three\0hidden\nlast\n') })
      await broker.done(3000)
      assert.equal(r.stderr, '')
      assert.equal(r.code, 0)
    } finally {
      await broker.close()
    }
  })

  // A directory as stdin reads as empty in Node; mosquitto_pub -s crashes on one and -l hangs.
  test('tspub -s and -l with a directory as stdin: refused by name, nothing sent', () => {
    const dir = fs.openSync(os.tmpdir(), 'r')
    try {
      for (const mode of ['-s', '-l']) {
        const r = spawnSync(binPath('tspub'), ['-h', '127.0.0.1', '-p', '1', '-t', 't', mode], { stdio: [dir, 'pipe', 'pipe'], timeout: 10_000 })
        assert.equal(r.stderr.toString(), 'Error: stdin is a directory.\nError loading input from stdin.\n', mode)
        assert.equal(r.status, 1, mode)
      }
    } finally {
      fs.closeSync(dir)
    }
  })

  // A NUL in a topic cannot come through argv; in the config file it ends the line, as in
  // mosquitto (fgets + strlen), so "-t a<NUL>b" publishes to "a". Same bytes as mosquitto_pub.
  test('a NUL inside a config file topic cuts the topic there, as mosquitto does', async () => {
    const script: Step[] = [...accept, { expect: { cmd: 'publish', topic: 'a', payload: 'x' } }, { expect: { cmd: 'disconnect' } }]
    const cfg = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-nul-'))
    try {
      fs.writeFileSync(path.join(cfg, 'mosquitto_pub'), Buffer.from('-t a\0b\n', 'latin1'))
      for (const bin of ['tspub', mosquittoClient('mosquitto_pub')]) {
        if (bin === undefined) continue
        const broker = await startFakeBroker(script)
        try {
          const r = await runCli(bin, ['-h', '127.0.0.1', '-p', String(broker.port), '-m', 'x'], { env: { XDG_CONFIG_HOME: cfg } })
          await broker.done(3000)
          assert.equal(r.code, 0, `${bin}: ${r.stderr}`)
        } finally {
          await broker.close()
        }
      }
    } finally {
      fs.rmSync(cfg, { recursive: true, force: true })
    }
  })
})
