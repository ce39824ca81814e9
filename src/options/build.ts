// Collected option words -> typed Options, then mosquitto's post-parse checks (contract §3.4),
// in mosquitto's order.
import { UsageError } from '../core/errors.js'
import { bytes } from './argv-bytes.js'
import { buildProperties } from './properties.js'
import type { Tool } from './table.js'
import type { MessageSource, Options, PropertyArg, WillOptions } from './types.js'
import type { WalkState } from './value-checks.js'

/** What yargs' parser hands back: flags as booleans, values as byte strings (arrays when repeatable). */
export type RawOptions = Record<string, string | string[] | boolean | undefined>

const INFINITE_EXPIRY = 4294967295
const RETAIN_HANDLING: Record<string, 0 | 1 | 2> = { always: 0, new: 1, never: 2 }

/** Type the raw options and run the checks that need all of them. */
export function buildOptions(tool: Tool, raw: RawOptions, state: WalkState): Options {
  const str = (key: string): string | undefined => {
    const v = raw[key]
    const last = Array.isArray(v) ? v[v.length - 1] : v
    return typeof last === 'string' ? last : undefined
  }
  const list = (key: string): string[] => {
    const v = raw[key]
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
  }
  const flag = (key: string): boolean => {
    const v = raw[key] as unknown
    return v === true || (Array.isArray(v) && v.includes(true))
  }
  const num = (key: string): number | undefined => (str(key) === undefined ? undefined : Number(str(key)))
  const buf = (key: string): Buffer | undefined => (str(key) === undefined ? undefined : bytes(str(key)!))

  const rr = tool === 'rr'
  const options: Options = {
    tool,
    host: str('host') ?? 'localhost',
    port: num('port'),
    portExplicit: state.portExplicit,
    urlTls: state.urlTls,
    websocket: flag('websocket') || state.websocket === true,
    bindAddress: str('bindAddress'),
    // mosquitto 2.1: --latency turns Nagle's algorithm off, so that it does not add to the figure.
    nodelay: flag('nodelay') || flag('latency'),
    proxy: str('proxy'),
    id: buf('id'),
    idPrefix: str('idPrefix'),
    cleanSession: !flag('disableCleanSession'),
    sessionExpiry: num('sessionExpiry'),
    keepalive: num('keepalive') ?? 60,
    // mosquitto_rr speaks MQTT v5 unless told otherwise: the response topic is a v5 property.
    protocolVersion: (num('protocolVersion') ?? (rr ? 5 : 4)) as 3 | 4 | 5,
    maxInflight: num('maxInflight') ?? 20,
    username: buf('username'),
    password: buf('password'),
    pwFile: buf('pwFile'),
    pwPrompt: flag('pwPrompt'),
    properties: list('property').map(propertyArg),
    propertyMap: {},
    topics: list('topic').map(bytes),
    source: messageSource(raw, state),
    qos: (num('qos') ?? 0) as 0 | 1 | 2,
    retain: flag('retain'),
    repeat: num('repeat') ?? 1,
    repeatDelay: num('repeatDelay') ?? 0,
    // mosquitto_rr counts one message, as tssub -C 1 would (its receive maximum is then 1).
    count: num('count') ?? (rr ? 1 : undefined),
    exitAfterSubscribe: flag('exitAfterSubscribe'),
    noRetained: flag('noRetained'),
    retainedOnly: flag('retainedOnly'),
    removeRetained: flag('removeRetained'),
    retainAsPublished: flag('retainAsPublished'),
    retainHandling: str('retainHandling') === undefined ? undefined : RETAIN_HANDLING[str('retainHandling')!],
    filterOut: list('filterOut').map(bytes),
    unsubscribe: list('unsubscribe').map(bytes),
    randomFilter: num('randomFilter'),
    timeout: num('timeout'),
    verbose: flag('verbose'),
    noEol: flag('noEol'),
    format: buf('format'),
    pretty: flag('pretty'),
    watch: flag('watch'),
    messageRate: flag('messageRate'),
    responseTopic: buf('responseTopic'),
    latency: flag('latency'),
    correlation: (str('correlation') ?? 'strict') as Options['correlation'],
    will: undefined,
    tls: {
      cafile: str('cafile'),
      capath: str('capath'),
      cert: str('cert'),
      key: str('key'),
      keyform: str('keyform'),
      ciphers: str('ciphers'),
      tlsVersion: str('tlsVersion'),
      tlsAlpn: str('tlsAlpn'),
      tlsEngine: str('tlsEngine'),
      tlsEngineKpassSha1: str('tlsEngineKpassSha1'),
      useOsCerts: flag('tlsUseOsCerts'),
      insecure: flag('insecure'),
      psk: str('psk'),
      pskIdentity: str('pskIdentity'),
      keylog: str('tlsKeylog'),
      noTls: flag('noTls'),
    },
    debug: flag('debug'),
    quiet: flag('quiet'),
    warnings: state.warnings,
  }
  options.will = willOptions(raw, str, flag)
  checkTls(options)
  checkSession(options)
  // mosquitto 2.1: unsubscribing alone (-U without -t) is a run of its own.
  if (tool === 'sub' && options.topics.length === 0 && options.unsubscribe.length === 0) {
    throw new UsageError('Error: You must specify a topic to subscribe to (-t) or unsubscribe from (-U).\n')
  }
  options.propertyMap = buildProperties(options.properties, {
    sessionExpiry: options.sessionExpiry, protocolVersion: options.protocolVersion, quiet: options.quiet,
  })
  return options
}

function willOptions(raw: RawOptions, str: (k: string) => string | undefined, flag: (k: string) => boolean): WillOptions | undefined {
  const topic = str('willTopic')
  if (topic === undefined) {
    if (str('willPayload') !== undefined) throw new UsageError('Error: Will payload given, but no will topic given.\n')
    if (flag('willRetain')) throw new UsageError('Error: Will retain given, but no will topic given.\n')
    // mosquitto: --will-qos without --will-topic is silently ignored.
    return undefined
  }
  return {
    topic: bytes(topic),
    payload: bytes(str('willPayload') ?? ''),
    qos: Number(str('willQos') ?? 0) as 0 | 1 | 2,
    retain: flag('willRetain'),
  }
}

function checkTls(o: Options): void {
  const t = o.tls
  if ((t.cert === undefined) !== (t.key === undefined)) {
    throw new UsageError('Error: Both certfile and keyfile must be provided if one of them is set.\n')
  }
  if (t.keyform !== undefined && t.key === undefined) throw new UsageError('Error: If keyform is set, keyfile must be also specified.\n')
  if (t.tlsEngineKpassSha1 !== undefined && (t.keyform === undefined || t.tlsEngine === undefined)) {
    throw new UsageError('Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must also be provided.\n')
  }
  if (t.psk !== undefined && (t.cafile !== undefined || t.capath !== undefined)) {
    throw new UsageError('Error: Only one of --psk or --cafile/--capath may be used at once.\n')
  }
  if (t.psk !== undefined && t.pskIdentity === undefined) throw new UsageError('Error: --psk-identity required if --psk used.\n')
}

// mosquitto: a persistent session needs a fixed -i (an -I prefix does not count).
function checkSession(o: Options): void {
  const fixedId = o.id !== undefined && o.idPrefix === undefined
  if (o.protocolVersion === 5) {
    if (!o.cleanSession && o.sessionExpiry === undefined) o.sessionExpiry = INFINITE_EXPIRY
    if (o.sessionExpiry === INFINITE_EXPIRY && !fixedId) {
      throw new UsageError('Error: You must provide a client id if you are using an infinite session expiry interval.\n')
    }
  } else if (!o.cleanSession && !fixedId) {
    throw new UsageError('Error: You must provide a client id if you are using the -c option.\n')
  }
}

function propertyArg(word: string): PropertyArg {
  const [command, name, ...values] = word.split('\0')
  return { command, name, values: values.map(bytes) }
}

function last(v: RawOptions[string]): string {
  return String(Array.isArray(v) ? v[v.length - 1] : v)
}

function messageSource(raw: RawOptions, state: WalkState): MessageSource | undefined {
  switch (state.messageMode) {
    case 'message':
      return { kind: 'message', payload: bytes(last(raw.message)) }
    case 'file':
      return { kind: 'file', path: bytes(last(raw.file)) }
    case 'stdinFile':
      return { kind: 'stdin-file' }
    case 'stdinLine':
      return { kind: 'stdin-line' }
    case 'nullMessage':
      return { kind: 'null' }
    default:
      return undefined
  }
}
