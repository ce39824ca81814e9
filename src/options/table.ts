// THE option table: every flag of the three tools, as data. The parser, --help, the man pages and
// shell completion are all derived from it (mosquitto's args.txt, written as data).

/** Which tool accepts an option; an option of another tool is an "Unknown option". */
export type Tool = 'pub' | 'sub' | 'rr'

/** Each tool's command name (bin/<name>), for everything generated per tool (man, completion). */
export const TOOL_NAMES: Readonly<Record<Tool, string>> = { pub: 'tspub', sub: 'tssub', rr: 'tsrr' }

/** How many argv words an option consumes after itself. 'property' is -D's 3 or 4 words. */
export type Arity = 0 | 1 | 'property'

/** Groups order the --help text and the man page. */
export type Group = 'Connection' | 'Session' | 'Message' | 'Subscribe' | 'Output' | 'Will' | 'TLS' | 'General'

/** One flag. `key` is the property name in the parsed Options. */
export interface OptionSpec {
  key: string
  short?: string
  long?: string
  arity: Arity
  /** Repeatable options accumulate (mosquitto: -t in sub, -T, -U, -D); scalars: the last one wins. */
  repeat?: readonly Tool[]
  tools: readonly Tool[]
  group: Group
  /** Metavar shown in --help, e.g. 'host'. */
  arg?: string
  /** mosquitto's "<opt> argument given but <missing>." text for a missing value. */
  missing?: string
  /** A fixed set of values (used by completion and the man page). */
  choices?: readonly string[]
  describe: string
  /** Another text for one tool, where `describe` would be wrong there (tsrr's -t, -q, -W...). */
  describeFor?: Partial<Record<Tool, string>>
  /** Accepted but not listed in --help (mosquitto does not list --retain-as-published). */
  hidden?: boolean
  /** Our additions beyond mosquitto 2.0 are marked, so docs can say so. */
  extension?: boolean
}

// Who takes an option. mosquitto_rr takes every option pub and sub share (PS), pub's message
// sources (PR), sub's output options, -W and -R (SR), and a few of its own (R).
const PS: readonly Tool[] = ['pub', 'sub', 'rr']
const P: readonly Tool[] = ['pub']
const S: readonly Tool[] = ['sub']
const PR: readonly Tool[] = ['pub', 'rr']
const SR: readonly Tool[] = ['sub', 'rr']
const R: readonly Tool[] = ['rr']

/** Every option of tspub, tssub and tsrr, in --help order within each group. */
export const OPTIONS: readonly OptionSpec[] = [
  // Connection
  { key: 'host', short: '-h', long: '--host', arity: 1, tools: PS, group: 'Connection', arg: 'host', missing: 'no host specified',
    describe: 'mqtt host to connect to. Defaults to localhost.' },
  { key: 'port', short: '-p', long: '--port', arity: 1, tools: PS, group: 'Connection', arg: 'port', missing: 'no port specified',
    describe: 'network port to connect to. Defaults to 1883 for plain MQTT and 8883 for MQTT over TLS.' },
  { key: 'unix', long: '--unix', arity: 1, tools: PS, group: 'Connection', arg: 'path', missing: 'no socket path specified',
    describe: 'connect to a broker through a unix domain socket instead of a TCP socket, e.g. /tmp/mosquitto.sock' },
  { key: 'url', short: '-L', long: '--url', arity: 1, tools: PS, group: 'Connection', arg: 'URL', missing: 'no URL specified',
    describe: 'specify user, password, hostname, port and topic as a URL in the form: mqtt(s)://[username[:password]@]host[:port]/topic ' +
      'or ws(s)://[username[:password]@]host[:port]/topic (MQTT over WebSockets at HTTP path /mqtt). ' +
      'The port defaults to 1883, or 8883 for mqtts:// and wss://.' },
  { key: 'bindAddress', short: '-A', arity: 1, tools: PS, group: 'Connection', arg: 'address', missing: 'no address specified',
    describe: 'bind the outgoing socket to this host/ip address. Use to control which interface the client communicates over.' },
  { key: 'nodelay', long: '--nodelay', arity: 0, tools: PS, group: 'Connection',
    describe: "disable Nagle's algorithm, to reduce socket sending latency at the possible expense of more packets being sent." },
  { key: 'websocket', long: '--ws', arity: 0, tools: PS, group: 'Connection',
    describe: 'connect using WebSockets instead of plain TCP (HTTP path /mqtt, subprotocol "mqtt"); with a TLS option, over TLS (wss).' },
  { key: 'proxy', long: '--proxy', arity: 1, tools: PS, group: 'Connection', arg: 'socks-url', missing: 'no proxy url specified',
    describe: 'SOCKS5 proxy URL of the form: socks5h://[username[:password]@]hostname[:port]' },

  // Session and protocol
  { key: 'id', short: '-i', long: '--id', arity: 1, tools: PS, group: 'Session', arg: 'id', missing: 'no id specified',
    describe: 'id to use for this client. Defaults to an id assigned by the broker (MQTT v3.1: a random id).' },
  { key: 'idPrefix', short: '-I', long: '--id-prefix', arity: 1, tools: PS, group: 'Session', arg: 'id_prefix', missing: 'no id prefix specified',
    describe: 'define the client id as id_prefix appended with the process id.' },
  { key: 'disableCleanSession', short: '-c', long: '--disable-clean-session', arity: 0, tools: PS, group: 'Session',
    describe: 'disable clean session/enable persistent client mode (needs -i).' },
  { key: 'sessionExpiry', short: '-x', arity: 1, tools: PS, group: 'Session', arg: 'session-expiry', missing: 'no session expiry interval specified',
    describe: 'set the session-expiry-interval property (and with it MQTT v5, unless a later -V says otherwise): seconds, or -1, 4294967295 or the infinity sign for a session that does not expire.' },
  { key: 'keepalive', short: '-k', long: '--keepalive', arity: 1, tools: PS, group: 'Session', arg: 'keepalive', missing: 'no keepalive specified',
    describe: 'keep alive in seconds for this client (5-65535). Defaults to 60.' },
  { key: 'protocolVersion', short: '-V', long: '--protocol-version', arity: 1, tools: PS, group: 'Session', arg: 'version',
    choices: ['mqttv5', 'mqttv311', 'mqttv31', '5', '311', '31'],
    describe: 'MQTT protocol version: mqttv5, mqttv311 or mqttv31 (or 5, 311, 31). Defaults to mqttv311.',
    describeFor: { rr: 'MQTT protocol version: mqttv5, mqttv311 or mqttv31 (or 5, 311, 31). Defaults to mqttv5: in MQTT v3 the request carries no response topic, so the responder must know where to answer.' } },
  { key: 'maxInflight', short: '-M', arity: 1, tools: PS, group: 'Session', arg: 'max_inflight', missing: 'max_inflight not specified',
    describe: 'the maximum inflight messages for QoS 1/2. Defaults to 20.' },
  { key: 'username', short: '-u', long: '--username', arity: 1, tools: PS, group: 'Session', arg: 'username', missing: 'no username specified',
    describe: 'provide a username.' },
  { key: 'password', short: '-P', long: '--pw', arity: 1, tools: PS, group: 'Session', arg: 'password', missing: 'no password specified',
    describe: 'provide a password.' },
  { key: 'pwFile', long: '--pw-file', arity: 1, tools: PS, group: 'Session', arg: 'file', missing: 'no file specified', extension: true,
    describe: 'read the password from the first line of file, so it stays off the command line (and out of ps and shell history).' },
  { key: 'pwPrompt', long: '--pw-prompt', arity: 0, tools: PS, group: 'Session', extension: true,
    describe: 'ask for the password on the terminal, without echo (Backspace, ^U and ^W edit; ^C aborts, and so does ^D on an empty line), before reading stdin and connecting. The environment variable TSMQTT_PASSWORD is used when -u is given and no password option is.' },
  { key: 'property', short: '-D', long: '--property', arity: 'property', repeat: PS, tools: PS, group: 'Session',
    arg: 'command identifier value', describe: 'define an MQTT v5 property (forces MQTT v5).' },

  // Publishing
  { key: 'topic', short: '-t', long: '--topic', arity: 1, repeat: ['sub'], tools: PS, group: 'Message', arg: 'topic', missing: 'no topic specified',
    describe: 'mqtt topic to publish to (tspub) or subscribe to (tssub; may be repeated).',
    describeFor: { rr: 'topic where the request message will be sent.' } },
  { key: 'responseTopic', short: '-e', arity: 1, tools: R, group: 'Message', arg: 'response-topic', missing: 'no response topic specified',
    describe: 'response topic: tsrr subscribes to it, names it in the request (MQTT v5) and prints the first answer that arrives on it.' },
  { key: 'correlation', long: '--correlation', arity: 1, tools: R, group: 'Message', arg: 'mode', missing: 'no mode specified', extension: true,
    choices: ['strict', 'lenient', 'off'],
    describe: 'which message counts as the answer (MQTT v5). strict (the default): the request carries correlation data (-D publish correlation-data, else a new random value) and only an answer carrying the same is taken; lenient: an answer without correlation data is taken too, for responders that do not echo it; off: as mosquitto_rr, nothing is added and the first message on the response topic is taken.' },
  { key: 'message', short: '-m', long: '--message', arity: 1, tools: PR, group: 'Message', arg: 'message', missing: 'no message specified',
    describe: 'message payload to send.' },
  { key: 'file', short: '-f', long: '--file', arity: 1, tools: PR, group: 'Message', arg: 'file', missing: 'no file specified',
    describe: 'send the contents of a file as the message.' },
  { key: 'stdinFile', short: '-s', long: '--stdin-file', arity: 0, tools: PR, group: 'Message',
    describe: 'read message from stdin, sending the entire input as a message.' },
  { key: 'stdinLine', short: '-l', long: '--stdin-line', arity: 0, tools: P, group: 'Message',
    describe: 'read messages from stdin, sending a separate message for each line.' },
  { key: 'nullMessage', short: '-n', long: '--null-message', arity: 0, tools: PR, group: 'Message',
    describe: 'send a null (zero length) message.' },
  { key: 'qos', short: '-q', long: '--qos', arity: 1, tools: PS, group: 'Message', arg: 'qos', missing: 'no QoS specified', choices: ['0', '1', '2'],
    describe: 'quality of service level to use for all messages / the subscription. Defaults to 0.',
    describeFor: { rr: 'quality of service level of the request and of the subscription to the response topic. Defaults to 0.' } },
  { key: 'retain', short: '-r', long: '--retain', arity: 0, tools: P, group: 'Message',
    describe: 'message should be retained.' },
  { key: 'repeat', long: '--repeat', arity: 1, tools: P, group: 'Message', arg: 'N', missing: 'no count specified',
    describe: 'if publish mode is -f, -m, -n or -s, then repeat the publish N times.' },
  { key: 'repeatDelay', long: '--repeat-delay', arity: 1, tools: P, group: 'Message', arg: 'time', missing: 'no time specified',
    describe: 'if using --repeat, wait time seconds between publishes. Defaults to 0.' },

  // Subscribing
  { key: 'count', short: '-C', arity: 1, tools: S, group: 'Subscribe', arg: 'msg_count', missing: 'no count specified',
    describe: "disconnect and exit after receiving the 'msg_count' messages." },
  { key: 'exitAfterSubscribe', short: '-E', arity: 0, tools: S, group: 'Subscribe',
    describe: 'exit once all subscriptions have been acknowledged by the broker.' },
  { key: 'noRetained', short: '-R', arity: 0, tools: SR, group: 'Subscribe',
    describe: 'do not print stale messages (those with retain set).' },
  { key: 'retainedOnly', long: '--retained-only', arity: 0, tools: S, group: 'Subscribe',
    describe: 'only handle messages with the retained flag set, and exit when the first non-retained message is received.' },
  { key: 'removeRetained', long: '--remove-retained', arity: 0, tools: S, group: 'Subscribe',
    describe: 'send a message to the server to clear any received retained messages. Use -T to filter out messages you do not want to be cleared.' },
  { key: 'retainAsPublished', long: '--retain-as-published', arity: 0, tools: SR, group: 'Subscribe', hidden: true,
    describe: 'set the MQTT v5 retain-as-published subscription option.' },
  { key: 'retainHandling', long: '--retain-handling', arity: 1, tools: SR, group: 'Subscribe', arg: 'always|new|never', missing: 'no option specified',
    choices: ['always', 'new', 'never'],
    describe: 'MQTT v5: when the broker sends the retained messages of a subscription: always (the default), new (only for a subscription the session did not have yet) or never. -R implies never unless this is given.' },
  { key: 'filterOut', short: '-T', long: '--filter-out', arity: 1, repeat: ['sub'], tools: S, group: 'Subscribe', arg: 'filter_out', missing: 'no topic filter specified',
    describe: 'topic string to filter out of results. May be repeated.' },
  { key: 'unsubscribe', short: '-U', long: '--unsubscribe', arity: 1, repeat: ['sub'], tools: S, group: 'Subscribe', arg: 'topic', missing: 'no unsubscribe topic specified',
    describe: 'unsubscribe from a topic. May be repeated, and used without -t (e.g. with -c -i to change a persistent session; with -E, exit once unsubscribed).' },
  { key: 'randomFilter', long: '--random-filter', arity: 1, tools: S, group: 'Subscribe', arg: 'chance', missing: 'no chance specified',
    describe: 'only print a percentage of received messages (0.1-100.0).' },
  { key: 'timeout', short: '-W', arity: 1, tools: SR, group: 'Subscribe', arg: 'timeout_secs', missing: 'no timeout specified',
    describe: 'specifies a timeout in seconds how long to process incoming MQTT messages.',
    describeFor: { rr: 'specifies a timeout in seconds how long to wait for the answer (exit status 27 when it did not come).' } },

  // Output
  { key: 'verbose', short: '-v', long: '--verbose', arity: 0, tools: SR, group: 'Output',
    describe: 'print published messages verbosely.' },
  { key: 'noEol', short: '-N', arity: 0, tools: SR, group: 'Output',
    describe: 'do not add an end of line character when printing the payload.' },
  { key: 'format', short: '-F', arity: 1, tools: SR, group: 'Output', arg: 'format', missing: 'no format specified',
    describe: 'output format.' },
  { key: 'pretty', long: '--pretty', arity: 0, tools: SR, group: 'Output',
    describe: 'print formatted output rather than minimised output when using the JSON output format option.' },
  { key: 'watch', short: '-w', long: '--watch', arity: 0, tools: S, group: 'Output',
    describe: 'print each topic on a line of its own, in the order topics first arrive, rewriting it as messages come (for a terminal; single-line payloads).' },
  { key: 'messageRate', long: '--message-rate', arity: 0, tools: S, group: 'Output',
    describe: "print the number of messages received each second ('N msgs/s') instead of the messages." },
  { key: 'latency', long: '--latency', arity: 0, tools: R, group: 'Output',
    describe: 'after the answer, print the time from sending the request to the answer arriving (implies --nodelay).' },

  // Will
  { key: 'willTopic', long: '--will-topic', arity: 1, tools: PS, group: 'Will', arg: 'topic', missing: 'no will topic specified',
    describe: 'the topic on which to publish the client Will.' },
  { key: 'willPayload', long: '--will-payload', arity: 1, tools: PS, group: 'Will', arg: 'payload', missing: 'no will payload specified',
    describe: 'payload for the client Will. If not given and will-topic is set, a zero length message will be sent.' },
  { key: 'willQos', long: '--will-qos', arity: 1, tools: PS, group: 'Will', arg: 'qos', missing: 'no will QoS specified', choices: ['0', '1', '2'],
    describe: 'QoS level for the client Will.' },
  { key: 'willRetain', long: '--will-retain', arity: 0, tools: PS, group: 'Will',
    describe: 'if given, make the client Will retained.' },

  // TLS
  { key: 'cafile', long: '--cafile', arity: 1, tools: PS, group: 'TLS', arg: 'file', missing: 'no file specified',
    describe: 'path to a file containing trusted CA certificates to enable encrypted communication.' },
  { key: 'capath', long: '--capath', arity: 1, tools: PS, group: 'TLS', arg: 'dir', missing: 'no directory specified',
    describe: 'path to a directory containing trusted CA certificates to enable encrypted communication.' },
  { key: 'cert', long: '--cert', arity: 1, tools: PS, group: 'TLS', arg: 'file', missing: 'no file specified',
    describe: 'client certificate for authentication, if required by server.' },
  { key: 'key', long: '--key', arity: 1, tools: PS, group: 'TLS', arg: 'file', missing: 'no file specified',
    describe: 'client private key for authentication, if required by server.' },
  { key: 'keyform', long: '--keyform', arity: 1, tools: PS, group: 'TLS', arg: 'keyform', missing: 'no keyform specified', choices: ['pem', 'engine'],
    describe: 'keyfile type, can be either "pem" or "engine".' },
  { key: 'ciphers', long: '--ciphers', arity: 1, tools: PS, group: 'TLS', arg: 'ciphers', missing: 'no ciphers specified',
    describe: 'openssl compatible list of TLS ciphers to support.' },
  { key: 'tlsVersion', long: '--tls-version', arity: 1, tools: PS, group: 'TLS', arg: 'version', missing: 'no version specified',
    choices: ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'], describe: 'TLS protocol version, can be one of tlsv1.3 tlsv1.2 or tlsv1.1.' },
  { key: 'tlsAlpn', long: '--tls-alpn', arity: 1, tools: PS, group: 'TLS', arg: 'protocol', missing: 'no protocol specified',
    describe: 'TLS ALPN protocol.' },
  { key: 'tlsEngine', long: '--tls-engine', arity: 1, tools: PS, group: 'TLS', arg: 'engine', missing: 'no engine_id specified',
    describe: 'if set, enables the use of a TLS engine device.' },
  { key: 'tlsEngineKpassSha1', long: '--tls-engine-kpass-sha1', arity: 1, tools: PS, group: 'TLS', arg: 'sha1', missing: 'no kpass sha1 specified',
    describe: 'SHA1 of the key password to be used with the selected TLS engine.' },
  { key: 'tlsUseOsCerts', long: '--tls-use-os-certs', arity: 0, tools: PS, group: 'TLS',
    describe: 'load and trust OS provided CA certificates.' },
  { key: 'insecure', long: '--insecure', arity: 0, tools: PS, group: 'TLS',
    describe: 'do not check that the server certificate hostname matches the remote hostname; together with --tls-version or --ciphers, do not verify the server certificate at all (as mosquitto 2.1).' },
  { key: 'tlsKeylog', long: '--tls-keylog', arity: 1, tools: PS, group: 'TLS', arg: 'file', missing: 'no file specified',
    describe: 'append the TLS session keys to file (NSS key log format), so that Wireshark can decrypt the traffic. For debugging only.' },
  { key: 'noTls', long: '--no-tls', arity: 0, tools: PS, group: 'TLS',
    describe: 'do not use TLS at all: cancels TLS options (e.g. from an options file), mqtts:// and the TLS that port 8883 implies.' },
  { key: 'psk', long: '--psk', arity: 1, tools: PS, group: 'TLS', arg: 'hex-key', missing: 'no key specified',
    describe: 'pre-shared-key in hexadecimal (no leading 0x) to enable TLS-PSK mode.' },
  { key: 'pskIdentity', long: '--psk-identity', arity: 1, tools: PS, group: 'TLS', arg: 'identity', missing: 'no identity specified',
    describe: 'client identity string for TLS-PSK mode.' },

  // General
  { key: 'debug', short: '-d', long: '--debug', arity: 0, tools: PS, group: 'General',
    describe: 'enable debug messages.' },
  { key: 'quiet', long: '--quiet', arity: 0, tools: PS, group: 'General',
    describe: "don't print error messages." },
  { key: 'optionsFile', short: '-o', arity: 1, tools: PS, group: 'General', arg: 'file', missing: 'no options file specified', extension: true,
    describe: 'read options from file (in the format of the default options files) instead of the default files (~/.config/mosquitto_pub then ~/.config/tspub; tssub and tsrr likewise), as mosquitto 2.1 does.' },
  { key: 'profile', long: '--profile', arity: 1, tools: PS, group: 'General', arg: 'name', missing: 'no profile name specified', extension: true,
    describe: 'also read options from the named profile ~/.config/tsmqtt/name (shared by tspub, tssub and tsrr; same format), after the default options file and before the command line.' },
  { key: 'help', long: '--help', arity: 0, tools: PS, group: 'General',
    describe: 'display this message.' },
  { key: 'version', long: '--version', arity: 0, tools: PS, group: 'General',
    describe: 'display the version.' },
  { key: 'completion', long: '--completion', arity: 1, tools: PS, group: 'General', arg: 'shell', missing: 'no shell specified',
    choices: ['bash', 'zsh'], extension: true,
    describe: 'print the completion script for the shell and exit: source <(tspub --completion bash) in ~/.bashrc, or source <(tspub --completion zsh) after compinit in ~/.zshrc.' },
]

/** The options one tool accepts, keyed by every spelling (short and long). */
export function optionsFor(tool: Tool): Map<string, OptionSpec> {
  const map = new Map<string, OptionSpec>()
  for (const spec of OPTIONS) {
    if (!spec.tools.includes(tool)) continue
    if (spec.short) map.set(spec.short, spec)
    if (spec.long) map.set(spec.long, spec)
  }
  return map
}

/** What --help and the man page say about `spec` for `tool`. */
export function description(spec: OptionSpec, tool: Tool): string {
  return spec.describeFor?.[tool] ?? spec.describe
}

/** The name mosquitto uses for an option in its messages: the short form when there is one. */
export function displayName(spec: OptionSpec): string {
  return spec.short ?? spec.long ?? spec.key
}
