// WebSockets against mosquitto 2.1.2 (its clients and its broker's built-in WebSockets listener,
// {ws}): --ws, -L ws://host:port/topic (the path is the topic, /mqtt is requested), and what
// happens when the other end is not a WebSocket listener. Where ours prints a line saying why
// before mosquitto's, the case says so; mosquitto's line and the exit status stay the same.
import { differential, type DiffCase } from '../helpers/differential.js'

// mosquitto's own line after ours (2.1 dropped the final period of its library texts).
const after = (why: RegExp, line: string): RegExp => new RegExp(`^${why.source}\\n${line}\\.?\\n$`)
const notAnswered = after(/Error: 127\.0\.0\.1:\{(port|closer)\} closed the connection without answering the WebSocket upgrade: is it a WebSocket listener\? \(a plain MQTT port does this, and so does a TLS port without wss:\/\/\)/,
  'Error: The connection was lost')
const refused404 = after(/Error: WebSocket upgrade at ws:\/\/127\.0\.0\.1:\{http404\}\/mqtt refused: the server answered HTTP 404 Not Found\./, 'Error: Unknown error')

const pub: DiffCase[] = [
  { name: '-L ws://host:port/topic: the path is the topic', bare: true, args: ['-L', 'ws://127.0.0.1:{ws}/{T}', '-m', 'hello', '-q', '1'] },
  { name: '-L ws:// with user and password, a topic with levels, QoS 2', bare: true,
    args: ['-L', 'ws://user:secret@127.0.0.1:{ws}/{T}/a/b', '-m', 'x', '-q', '2'] },
  { name: 'the scheme in any case', bare: true, args: ['-L', 'WS://127.0.0.1:{ws}/{T}', '-m', 'y'] },
  { name: '--ws with -h and -p', args: ['--ws', '-p', '{ws}', '-t', '{T}', '-m', 'hi', '-q', '1'] },
  { name: '--ws with -f and --repeat', args: ['--ws', '-p', '{ws}', '-t', '{T}', '-f', '{dir}/payload', '--repeat', '3'],
    files: { payload: Buffer.from([0, 0xff, 0x0a, 0x0d, 0x80]) } },
  { name: '-l over ws', args: ['--ws', '-p', '{ws}', '-t', '{T}', '-l', '-q', '1'], stdin: 'one\ntwo\n\nthree' },
  { name: 'ws stays on after a later -L mqtt:// (as mosquitto 2.1)', bare: true,
    args: ['-L', 'ws://127.0.0.1:1/x', '-L', 'mqtt://127.0.0.1:{ws}/{T}', '-m', 'still ws'] },
  { name: '--ws in the options file', config: '--ws\n', args: ['-p', '{ws}', '-t', '{T}', '-m', 'from config'] },
  { name: '-L ws:// without a topic', bare: true, args: ['-L', 'ws://127.0.0.1:{ws}', '-m', 'x'] },
  { name: '-L ws:// at a plain MQTT port: the connection is lost (ours says why first)', bare: true,
    args: ['-L', 'ws://127.0.0.1:{port}/{T}', '-m', 'x'], ours: { stderr: notAnswered } },
  { name: '--ws at a port that closes at once', args: ['--ws', '-p', '{closer}', '-t', '{T}', '-m', 'x'], ours: { stderr: notAnswered } },
  { name: '-L ws:// at an HTTP server that answers 404: Unknown error, 13', bare: true,
    args: ['-L', 'ws://127.0.0.1:{http404}/{T}', '-m', 'x'], ours: { stderr: refused404 } },
  { name: '--ws at a port that never answers the upgrade: keepalive exceeded, 19', args: ['--ws', '-p', '{silent}', '-k', '5', '-t', '{T}', '-m', 'x'],
    ours: { stderr: /^Error: Keepalive exceeded: the broker stopped answering\.\n$/ }, timeoutMs: 20_000 },
]

const sub: DiffCase[] = [
  { name: '-L ws://host:port/filter -v', bare: true, args: ['-L', 'ws://127.0.0.1:{ws}/{T}/#', '-C', '2', '-v'],
    feed: [{ pub: ['-t', '{T}/a', '-m', 'x', '-q', '1'] }, { pub: ['-t', '{T}/b', '-m', 'y'] }] },
  { name: '-L ws:// plus -t', bare: true, args: ['-L', 'ws://127.0.0.1:{ws}/{T}/one', '-t', '{T}/two', '-C', '2', '-F', '%t %p'],
    feed: [{ pub: ['-t', '{T}/two', '-m', '2'] }, { pub: ['-t', '{T}/one', '-m', '1'] }] },
  { name: '--ws -q 2 -V 5, retained message first', args: ['--ws', '-p', '{ws}', '-t', '{T}', '-q', '2', '-V', '5', '-C', '2', '-F', '%r %q %p'],
    setup: [{ pub: ['-t', '{T}', '-m', 'kept', '-r', '-q', '1'] }], feed: [{ pub: ['-t', '{T}', '-m', 'live', '-q', '2'] }],
    sequential: true },
  { name: 'an HTTP server that answers 404: Unknown error, 13 (not retried)', bare: true,
    args: ['-L', 'ws://127.0.0.1:{http404}/{T}'], waitFor: false, ours: { stderr: refused404 } },
  { name: 'a plain MQTT port: tried again, silently, until -W (255)', bare: true,
    args: ['-L', 'ws://127.0.0.1:{port}/{T}', '-W', '3'], waitFor: false },
  { name: 'a port that never answers the upgrade: tried again after the keepalive, until -W (255)',
    args: ['--ws', '-p', '{silent}', '-k', '5', '-W', '7', '-t', '{T}'], waitFor: false, timeoutMs: 20_000 },
]

differential('WebSockets against mosquitto 2.1.2', 'ws21', [{ title: 'pub', kind: 'pub', cases: pub }, { title: 'sub', kind: 'sub', cases: sub }],
  { broker: { version: '2.1', websockets: true } })
