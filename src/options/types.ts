// The typed result of option parsing, shared by the three tools. The core never sees this type.
import type { PropertyMap } from './properties.js'
import type { Tool } from './table.js'

/** Where tspub's (and tsrr's) payload comes from (mosquitto's pub_mode). */
export type MessageSource =
  | { kind: 'message'; payload: Buffer }
  | { kind: 'file'; path: Buffer }
  | { kind: 'stdin-file' }
  | { kind: 'stdin-line' }
  | { kind: 'null' }

/** One -D argument, as typed: command, property name and one or two values (raw bytes). */
export interface PropertyArg {
  command: string
  name: string
  values: Buffer[]
}

/** The will message of the CONNECT. */
export interface WillOptions {
  topic: Buffer
  payload: Buffer
  qos: 0 | 1 | 2
  retain: boolean
}

/** TLS settings as given on the command line; the transport decides what they mean. */
export interface TlsOptions {
  cafile?: string
  capath?: string
  cert?: string
  key?: string
  keyform?: string
  ciphers?: string
  tlsVersion?: string
  tlsAlpn?: string
  tlsEngine?: string
  tlsEngineKpassSha1?: string
  useOsCerts: boolean
  insecure: boolean
  psk?: string
  pskIdentity?: string
  /** --tls-keylog: append the session keys (NSS key log lines) to this file. */
  keylog?: string
  /** --no-tls: no TLS whatever the other options say (mosquitto 2.1). */
  noTls: boolean
}

/** tsrr --correlation: which message on the response topic is the answer. */
export type CorrelationMode = 'strict' | 'lenient' | 'off'

/** Everything a tool was asked to do. */
export interface Options {
  tool: Tool
  host: string
  port?: number
  /** -p given explicitly (not through -L or --unix): mosquitto turns TLS on for 8883. */
  portExplicit: boolean
  /** -L mqtts:// or wss:// */
  urlTls: boolean
  /** --ws, -L ws:// or wss://: MQTT over WebSocket (HTTP path /mqtt, as mosquitto 2.1). */
  websocket: boolean
  bindAddress?: string
  nodelay: boolean
  proxy?: string
  id?: Buffer
  idPrefix?: string
  cleanSession: boolean
  sessionExpiry?: number
  keepalive: number
  protocolVersion: 3 | 4 | 5
  maxInflight: number
  username?: Buffer
  password?: Buffer
  /** --pw-file: where to read the password from (resolved just before connecting). */
  pwFile?: Buffer
  /** --pw-prompt: ask on the terminal. */
  pwPrompt: boolean
  properties: PropertyArg[]
  /** The -D properties (and -x/-c session expiry) per packet, in mqtt-packet's shape. */
  propertyMap: PropertyMap
  /** tspub: zero or one topic; tssub: every subscription filter. */
  topics: Buffer[]
  source?: MessageSource
  qos: 0 | 1 | 2
  retain: boolean
  repeat: number
  repeatDelay: number
  count?: number
  exitAfterSubscribe: boolean
  noRetained: boolean
  retainedOnly: boolean
  removeRetained: boolean
  retainAsPublished: boolean
  /** --retain-handling: 0 always, 1 new subscriptions only, 2 never (MQTT v5 subscription option). */
  retainHandling?: 0 | 1 | 2
  filterOut: Buffer[]
  unsubscribe: Buffer[]
  /** Out of 10000, as mosquitto stores it. */
  randomFilter?: number
  timeout?: number
  verbose: boolean
  noEol: boolean
  format?: Buffer
  pretty: boolean
  /** -w: one terminal line per topic. */
  watch: boolean
  /** --message-rate: print messages per second instead of messages. */
  messageRate: boolean
  /** tsrr -e. */
  responseTopic?: Buffer
  /** tsrr --latency. */
  latency: boolean
  /** tsrr --correlation (default strict). */
  correlation: CorrelationMode
  will?: WillOptions
  tls: TlsOptions
  debug: boolean
  quiet: boolean
  /** Printed before the run unless --quiet (e.g. an options file line that holds two options). */
  warnings: readonly string[]
}

/** What parsing decided: run, or print help / version. */
export type ParseResult = { kind: 'run'; options: Options } | { kind: 'help' } | { kind: 'version' } | { kind: 'completion'; shell: Shell }

/** The shells --completion writes a script for. */
export type Shell = 'bash' | 'zsh'
