// Checks for one option value at the point it appears (mosquitto checks most values inside its
// parser, so the first bad word in argv order is the one reported), with mosquitto's texts.
import { UsageError } from '../core/errors.js'
import { checkPublishTopic, checkSubscribeFilter } from '../core/topic.js'
import { compileFormat } from '../output/format.js'
import { bytes } from './argv-bytes.js'
import { atof, atoi, doubleToInt, strtol } from './c-numbers.js'
import { displayName, type OptionSpec, type Tool } from './table.js'
import { parseProxyUrl } from '../transport/socks.js'
import { parseMqttUrl } from './url.js'

/** Facts of the walk whose order matters. */
export interface WalkState {
  messageMode: string | undefined
  idGiven: boolean
  idPrefixGiven: boolean
  portExplicit: boolean
  urlTls: boolean
  /** --ws, -L ws:// or wss://: MQTT over WebSocket. Never unset (mosquitto 2.1: a later -L mqtt:// keeps it). */
  websocket?: boolean
  /** The words come from an options file, not the command line. */
  inFile?: boolean
  /** Said on stderr before the run (unless --quiet): what was read in a way the user may not expect. */
  warnings: string[]
}

const MAX_PAYLOAD = 268435455
const PROTOCOL_VERSIONS: Record<string, string> = { mqttv31: '3', '31': '3', mqttv311: '4', '311': '4', mqttv5: '5', '5': '5' }

/** Check one option value; returns the normalised words it stands for. */
export function checkValue(tool: Tool, spec: OptionSpec, value: string, state: WalkState): string[] {
  const set = (key: string, v: string | number): string => `--${key}=${v}`
  const name = displayName(spec)
  switch (spec.key) {
    case 'port': {
      const port = cInt(value, spec, state)
      if (port < 0 || port > 65535) throw new UsageError(`Error: Invalid port given: ${port}\n`)
      state.portExplicit = true
      return [set('port', port)]
    }
    case 'unix':
      // mosquitto: --unix P is host=P, port=0; a later -h or -p overrides either.
      state.portExplicit = false
      return [set('host', value), set('port', 0)]
    case 'qos': {
      const qos = cInt(value, spec, state)
      if (qos < 0 || qos > 2) throw new UsageError(`Error: Invalid QoS given: ${qos}\n`)
      return [set('qos', qos)]
    }
    case 'willQos': {
      const qos = cInt(value, spec, state)
      if (qos < 0 || qos > 2) throw new UsageError(`Error: Invalid will QoS ${qos}.\n\n`)
      return [set('willQos', qos)]
    }
    case 'keepalive': {
      const k = cInt(value, spec, state)
      if (k < 5 || k > 65535) throw new UsageError('Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n')
      return [set('keepalive', k)]
    }
    case 'maxInflight':
      return [set(spec.key, atLeastOne(value, spec, state, () => 'Error: Maximum inflight messages must be greater than 0.\n\n'))]
    case 'count':
      return [set(spec.key, atLeastOne(value, spec, state, (n) => `Error: Invalid message count "${n}".\n\n`))]
    case 'timeout':
      return [set(spec.key, atLeastOne(value, spec, state, (n) => `Error: Invalid timeout "${n}".\n\n`))]
    case 'repeat':
      return [set(spec.key, atLeastOne(value, spec, state, () => 'Error: --repeat argument must be >0.\n\n'))]
    case 'repeatDelay': {
      // mosquitto: a float, so -1e-50 is -0.0 and not below 0.
      const delay = Math.fround(cDouble(value, spec, state))
      if (delay < 0) throw new UsageError('Error: --repeat-delay argument must be >=0.0.\n\n')
      // mosquitto turns infinity and NaN into a C int (undefined behaviour: no delay at all on x86);
      // neither means a delay, so both are refused.
      if (Number.isNaN(delay)) throw new UsageError(`Error: ${name} argument given but '${value}' is not a number.\n\n`)
      if (!Number.isFinite(delay)) throw new UsageError(`Error: ${name} argument given but '${value}' is out of range.\n\n`)
      return [set(spec.key, delay)]
    }
    case 'randomFilter': {
      // mosquitto stores (int)(10 * chance) and compares it against random() % 10000.
      const chance = doubleToInt(10 * cDouble(value, spec, state))
      if (chance < 1 || chance > 10000) throw new UsageError('Error: --random-filter chance must be between 0.1-100.0\n\n')
      return [set(spec.key, chance)]
    }
    case 'protocolVersion': {
      const version = PROTOCOL_VERSIONS[value]
      if (!version) throw new UsageError('Error: Invalid protocol version argument given.\n\n')
      return [set(spec.key, version)]
    }
    case 'sessionExpiry':
      // mosquitto 2.1: -x switches to MQTT v5 where it appears (as -D does); a later -V still wins.
      return [set(spec.key, sessionExpiry(value)), set('protocolVersion', 5)]
    case 'topic':
      checkTopic(tool, '-t', value)
      return [set('topic', value)]
    case 'responseTopic':
      // mosquitto_rr: -e is checked as a publish topic, since the request names it as one.
      checkPublish('-e', 'response', value)
      return [set(spec.key, value)]
    case 'retainHandling':
    case 'correlation':
      if (!spec.choices?.includes(value)) throw new UsageError(`Error: Unknown value '${value}' for ${name}.\n\n`)
      return [set(spec.key, value)]
    case 'filterOut':
      checkFilter('-T', 'filter', value)
      return [set(spec.key, value)]
    case 'unsubscribe':
      checkFilter('-U', 'unsubscribe', value)
      return [set(spec.key, value)]
    case 'willTopic':
      checkPublish('--will-topic', 'will', value)
      return [set(spec.key, value)]
    case 'message':
      if (value.length > MAX_PAYLOAD) throw new UsageError('Error: Message length must be less than 268435455 bytes.\n\n')
      return [set(spec.key, value)]
    case 'format':
      compileFormat(bytes(value))
      return [set(spec.key, value)]
    case 'id':
      if (state.idPrefixGiven) throw new UsageError('Error: -i and -I argument cannot be used together.\n\n')
      state.idGiven = true
      return [set(spec.key, value)]
    case 'idPrefix':
      if (state.idGiven) throw new UsageError('Error: -i and -I argument cannot be used together.\n\n')
      state.idPrefixGiven = true
      return [set(spec.key, value)]
    case 'url':
      return urlWords(tool, value, state)
    case 'optionsFile':
    case 'profile':
      // A file does not pull in another: inside one they are refused, not silently skipped.
      if (state.inFile) throw new UsageError(`Error: ${name} cannot be used in an options file.\n`)
      // Read before the walk (option-files.ts): nothing left to collect.
      return []
    case 'proxy':
      // mosquitto checks the proxy URL where it appears; the transport parses it again to use it.
      parseProxyUrl(value)
      return [set(spec.key, value)]
    default:
      return [set(spec.key, value)]
  }
}

// mosquitto reads numbers with atoi (and fractions with atof), so a drop-in does too: `-q 1.5` is
// QoS 1, `-C 1x` is 1, `-k abc` is 0 (refused by the range check), 4294967297 wraps to 1.
function cInt(value: string, spec: OptionSpec, state: WalkState): number {
  warnIfMoreWords(value, spec, state)
  return atoi(value)
}

function cDouble(value: string, spec: OptionSpec, state: WalkState): number {
  warnIfMoreWords(value, spec, state)
  return atof(value)
}

// An options file line holds one option: in `-q 1 -r` the value is "1 -r", read as 1, and -r is
// lost without a word from mosquitto. We read it the same way and say so.
function warnIfMoreWords(value: string, spec: OptionSpec, state: WalkState): void {
  if (!state.inFile || !/\s-\S/.test(value)) return
  const rest = value.slice(value.search(/\s-\S/)).trim()
  state.warnings.push(`Warning: the options file line '${displayName(spec)} ${value}' sets only ${displayName(spec)}: '${rest}' is ignored (one option per line).\n`)
}

// A number of at least 1, or mosquitto's error for that option (with the number as it read it).
function atLeastOne(value: string, spec: OptionSpec, state: WalkState, error: (read: number) => string): number {
  const n = cInt(value, spec, state)
  if (n < 1) throw new UsageError(error(n))
  return n
}

// mosquitto: -x goes through strtol(…, 0): hex and octal accepted, trailing garbage refused.
function sessionExpiry(value: string): number {
  if (value === Buffer.from('∞', 'utf8').toString('latin1')) return 4294967295
  const { value: n, end } = strtol(value, 0)
  if (end === 0 || end !== value.length) throw new UsageError('Error: session-expiry-interval not a number.\n\n')
  if (n < -1n || n > 4294967295n) throw new UsageError('Error: session-expiry-interval out of range.\n\n')
  return n === -1n ? 4294967295 : Number(n)
}

// tspub and tsrr publish to -t (and -L's topic); tssub subscribes to it.
function checkTopic(tool: Tool, argName: string, value: string): void {
  if (tool !== 'sub') checkPublish(argName, 'publish', value)
  else checkFilter(argName, 'subscription', value)
}

function checkPublish(argName: string, what: string, value: string): void {
  const result = checkPublishTopic(bytes(value))
  if (result === 'utf8') throw new UsageError(`Error: Malformed UTF-8 in ${argName} argument.\n\n`)
  if (result === 'invalid') throw new UsageError(`Error: Invalid ${what} topic '${value}', does it contain '+' or '#'?\n`)
}

function checkFilter(argName: string, what: string, value: string): void {
  const result = checkSubscribeFilter(bytes(value))
  if (result === 'utf8') throw new UsageError(`Error: Malformed UTF-8 in ${argName} argument.\n\n`)
  if (result === 'invalid') throw new UsageError(`Error: Invalid ${what} topic '${value}', are all '+' and '#' wildcards correct?\n`)
}

// mosquitto: -L replaces host and port, and user/password only when the URL has them.
function urlWords(tool: Tool, value: string, state: WalkState): string[] {
  const url = parseMqttUrl(bytes(value))
  const words = [`--host=${url.host.toString('latin1')}`]
  // mosquitto: a port of -1 (also 4294967295, which wraps) means "not given"; it does not check
  // the range and fails at connect time, we say what is wrong as -p would.
  if (url.port !== -1) {
    if (url.port < 0 || url.port > 65535) throw new UsageError(`Error: Invalid port given: ${url.port}\n`)
    words.push(`--port=${url.port}`)
  }
  if (url.username) words.push(`--username=${url.username.toString('latin1')}`)
  if (url.password) words.push(`--password=${url.password.toString('latin1')}`)
  const topic = url.topic.toString('latin1')
  checkTopic(tool, '-L topic', topic)
  words.push(`--topic=${topic}`)
  state.portExplicit = false
  state.urlTls = url.tls
  if (url.websocket) state.websocket = true
  return words
}
