// Parsing of the -L/--url argument (contract §6.9), plus ws:// and wss:// for the WebSocket transport.

import { UsageError } from '../core/errors.js'
import { atoi } from './c-numbers.js'

const SLASH = 0x2f
const AT = 0x40
const COLON = 0x3a

// What a -L URL sets. mqtt(s) URLs always carry a topic (possibly empty); ws(s) URLs carry a path instead.
export interface UrlParts {
  transport: 'mqtt' | 'ws'
  tls: boolean
  port: number
  host: Buffer
  // set only when the URL has a user part; password only when that part has a ':'
  username?: Buffer
  password?: Buffer
  // mqtt(s) only: everything after the first '/', still to be validated as "-L topic"
  topic?: Buffer
  // ws(s) only: the HTTP path including its leading '/', '/mqtt' when the URL has none
  path?: Buffer
}

interface Scheme {
  prefix: string
  transport: 'mqtt' | 'ws'
  tls: boolean
  port: number
}

const SCHEMES: readonly Scheme[] = [
  { prefix: 'mqtt://', transport: 'mqtt', tls: false, port: 1883 },
  { prefix: 'mqtts://', transport: 'mqtt', tls: true, port: 8883 },
  { prefix: 'ws://', transport: 'ws', tls: false, port: 80 },
  { prefix: 'wss://', transport: 'ws', tls: true, port: 443 },
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

function parseMqtt(rest: Buffer, scheme: Scheme): UrlParts {
  // mosquitto: the topic starts after the first '/', even one inside the user or password
  const slash = rest.indexOf(SLASH)
  if (slash === -1) {
    throw new UsageError('Error: Invalid URL for -L argument specified - topic missing.\n')
  }
  const parts: UrlParts = {
    transport: 'mqtt',
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

// ws[s]://[user[:pass]@]host[:port][/path] — our own extension, so it may be saner than -L's
// mqtt rules: the user part ends at the last '@' and a bracketed IPv6 host works.
function parseWs(rest: Buffer, scheme: Scheme): UrlParts {
  const slash = rest.indexOf(SLASH)
  const authority = slash === -1 ? rest : rest.subarray(0, slash)
  const parts: UrlParts = {
    transport: 'ws',
    tls: scheme.tls,
    port: scheme.port,
    host: Buffer.alloc(0),
    path: slash === -1 ? Buffer.from('/mqtt') : Buffer.from(rest.subarray(slash)),
  }
  let hostPort = authority
  const at = authority.lastIndexOf(AT)
  if (at !== -1) {
    Object.assign(parts, splitUserInfo(authority.subarray(0, at)))
    hostPort = authority.subarray(at + 1)
  }
  let portText: Buffer | undefined
  const close = hostPort[0] === 0x5b ? hostPort.indexOf(0x5d) : -1
  if (close !== -1) {
    parts.host = Buffer.from(hostPort.subarray(1, close))
    if (hostPort[close + 1] === COLON) portText = hostPort.subarray(close + 2)
  } else {
    const colon = hostPort.indexOf(COLON)
    parts.host = Buffer.from(colon === -1 ? hostPort : hostPort.subarray(0, colon))
    if (colon !== -1) portText = hostPort.subarray(colon + 1)
  }
  if (portText !== undefined) parts.port = atoi(portText)
  return parts
}

// Parses a -L URL; throws UsageError with mosquitto's texts for a bad scheme or a missing topic.
export function parseMqttUrl(url: Buffer): UrlParts {
  for (const scheme of SCHEMES) {
    if (!startsWithNoCase(url, scheme.prefix)) continue
    const rest = url.subarray(scheme.prefix.length)
    return scheme.transport === 'mqtt' ? parseMqtt(rest, scheme) : parseWs(rest, scheme)
  }
  // mosquitto 2.1 (2.0: lower-case "unsupported"), and two newlines before the usage hint
  throw new UsageError('Error: Unsupported URL scheme.\n\n')
}
