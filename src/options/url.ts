// Parsing of the -L/--url argument (contract §6.9), with mosquitto 2.1's ws:// and wss://.

import { UsageError } from '../core/errors.js'
import { atoi } from './c-numbers.js'

const SLASH = 0x2f
const AT = 0x40
const COLON = 0x3a

// What a -L URL sets. Every URL carries a topic (possibly empty), ws(s) ones too.
export interface UrlParts {
  /** ws:// or wss://: MQTT over WebSocket (mosquitto 2.1). */
  websocket: boolean
  tls: boolean
  port: number
  host: Buffer
  // set only when the URL has a user part; password only when that part has a ':'
  username?: Buffer
  password?: Buffer
  // everything after the first '/', still to be validated as "-L topic"
  topic: Buffer
}

interface Scheme {
  prefix: string
  websocket: boolean
  tls: boolean
  port: number
}

// mosquitto 2.1: ws:// and wss:// default to MQTT's ports, not HTTP's (its man page says 80 and
// 443; its code, which we follow, says 1883 and 8883).
const SCHEMES: readonly Scheme[] = [
  { prefix: 'mqtt://', websocket: false, tls: false, port: 1883 },
  { prefix: 'mqtts://', websocket: false, tls: true, port: 8883 },
  { prefix: 'ws://', websocket: true, tls: false, port: 1883 },
  { prefix: 'wss://', websocket: true, tls: true, port: 8883 },
]

// ASCII-only case folding, as strncasecmp does in the C locale.
function startsWithNoCase(b: Buffer, prefix: string): boolean {
  if (b.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) {
    let c = b[i]!
    if (c >= 0x41 && c <= 0x5a) c += 0x20
    if (c !== prefix.charCodeAt(i)) return false
  }
  return true
}

// Splits "user[:pass]" at its first ':'.
function splitUserInfo(info: Buffer): { username: Buffer; password?: Buffer } {
  const colon = info.indexOf(COLON)
  if (colon === -1) return { username: Buffer.from(info) }
  return { username: Buffer.from(info.subarray(0, colon)), password: Buffer.from(info.subarray(colon + 1)) }
}

// mosquitto 2.1 parses ws(s):// URLs as mqtt(s):// ones: the path is the topic, not the HTTP path
// (that is always /mqtt; its man page says otherwise).
function parseRest(rest: Buffer, scheme: Scheme): UrlParts {
  // mosquitto: the topic starts after the first '/', even one inside the user or password
  const slash = rest.indexOf(SLASH)
  if (slash === -1) {
    throw new UsageError('Error: Invalid URL for -L argument specified - topic missing.\n')
  }
  const parts: UrlParts = {
    websocket: scheme.websocket,
    tls: scheme.tls,
    port: scheme.port,
    host: Buffer.alloc(0),
    topic: Buffer.from(rest.subarray(slash + 1)),
  }
  let hostPort = rest.subarray(0, slash)
  // mosquitto: user info ends at the first '@', so a password cannot contain '@'; no %-decoding
  const at = hostPort.indexOf(AT)
  if (at !== -1) {
    Object.assign(parts, splitUserInfo(hostPort.subarray(0, at)))
    hostPort = hostPort.subarray(at + 1)
  }
  // mosquitto: host and port split at the first ':', so '[::1]:1883' is host '[' and port 0;
  // the port goes through atoi with no range check
  const colon = hostPort.indexOf(COLON)
  if (colon === -1) {
    parts.host = Buffer.from(hostPort)
  } else {
    parts.host = Buffer.from(hostPort.subarray(0, colon))
    parts.port = atoi(hostPort.subarray(colon + 1))
  }
  return parts
}

// Parses a -L URL; throws UsageError with mosquitto's texts for a bad scheme or a missing topic.
export function parseMqttUrl(url: Buffer): UrlParts {
  for (const scheme of SCHEMES) {
    if (!startsWithNoCase(url, scheme.prefix)) continue
    return parseRest(url.subarray(scheme.prefix.length), scheme)
  }
  // mosquitto 2.1 (2.0: lower-case "unsupported"), and two newlines before the usage hint
  throw new UsageError('Error: Unsupported URL scheme.\n\n')
}
