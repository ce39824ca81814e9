// Texts for CONNACK return codes and MQTT v5 reason codes, as libmosquitto words them.

// mosquitto 2.1 words these without a final period, as its other library texts.
const CONNACK_V3: readonly string[] = [
  'Connection Accepted',
  'Connection Refused: unacceptable protocol version',
  'Connection Refused: identifier rejected',
  'Connection Refused: broker unavailable',
  'Connection Refused: bad user name or password',
  'Connection Refused: not authorised',
]

/** mosquitto_connack_string(): the v3.x CONNACK return code text. */
export function connackString(code: number): string {
  return CONNACK_V3[code] ?? 'Connection Refused: unknown reason'
}

const REASONS: Record<number, string> = {
  0: 'Success', 1: 'Granted QoS 1', 2: 'Granted QoS 2', 4: 'Disconnect with Will Message',
  16: 'No matching subscribers', 17: 'No subscription existed', 24: 'Continue authentication', 25: 'Re-authenticate',
  128: 'Unspecified error', 129: 'Malformed Packet', 130: 'Protocol Error', 131: 'Implementation specific error',
  132: 'Unsupported Protocol Version', 133: 'Client Identifier not valid', 134: 'Bad User Name or Password',
  135: 'Not authorized', 136: 'Server unavailable', 137: 'Server busy', 138: 'Banned', 139: 'Server shutting down',
  140: 'Bad authentication method', 141: 'Keep Alive timeout', 142: 'Session taken over', 143: 'Topic Filter invalid',
  144: 'Topic Name invalid', 145: 'Packet Identifier in use', 146: 'Packet Identifier not found',
  147: 'Receive Maximum exceeded', 148: 'Topic Alias invalid', 149: 'Packet too large', 150: 'Message rate too high',
  151: 'Quota exceeded', 152: 'Administrative action', 153: 'Payload format invalid', 154: 'Retain not supported',
  155: 'QoS not supported', 156: 'Use another server', 157: 'Server moved', 158: 'Shared Subscriptions not supported',
  159: 'Connection rate exceeded', 160: 'Maximum connect time', 161: 'Subscription identifiers not supported',
  162: 'Wildcard Subscriptions not supported',
}

/** mosquitto_reason_string(): the MQTT v5 reason code text. */
export function reasonString(code: number): string {
  return REASONS[code] ?? 'Unknown reason'
}

// mosquitto 2.1 words these without a final period (2.0: "The connection was lost.") and calls
// MOSQ_ERR_INVAL "Invalid input" (2.0: "Invalid function arguments provided.").
const STRERROR: Record<number, string> = {
  0: 'No error', 1: 'Out of memory', 2: 'A network protocol error occurred when communicating with the broker',
  3: 'Invalid input', 4: 'The client is not currently connected', 5: 'The connection was refused',
  6: 'Message not found (internal error)', 7: 'The connection was lost', 8: 'A TLS error occurred',
  9: 'Payload too large', 10: 'This feature is not supported', 11: 'Authorisation failed',
  12: 'Access denied by ACL', 13: 'Unknown error', 15: 'Lookup error', 16: 'Proxy error', 18: 'Malformed UTF-8',
  19: 'Keepalive exceeded', 20: 'DNS Lookup failed', 21: 'Malformed packet', 22: 'Duplicate property in property list',
  23: 'TLS handshake failed', 24: 'Requested QoS not supported on server',
  25: 'Packet larger than supported by the server', 26: 'OCSP error', 27: 'Timeout',
}

/** mosquitto_strerror() as 2.1 words it (errno texts are the caller's). */
export function strerror(rc: number): string {
  if (rc >= 128) return reasonString(rc)
  return STRERROR[rc] ?? 'Unknown error'
}

/** mosquitto's line for a failed connect call: "Unable to connect (<strerror>)." */
export function unableToConnect(rc: number): string {
  return `Unable to connect (${strerror(rc)}).\n`
}

/** mosquitto's last line for a failed run: "Error: <strerror>". */
export function errorLine(rc: number): string {
  return `Error: ${strerror(rc)}\n`
}

// DISCONNECT reasons about the broker's state or the network, not about what the client asked:
// Normal disconnection, Server busy, Server shutting down, Keep Alive timeout, Message rate too
// high, Quota exceeded, Administrative action (mosquitto's dynamic security disconnects clients
// whose roles changed, expecting them back), Connection rate exceeded, Maximum connect time.
const TRANSIENT_DISCONNECTS = new Set([0, 0x89, 0x8b, 0x8d, 0x96, 0x97, 0x98, 0x9f, 0xa0])

/**
 * Whether a client should connect again after a broker's DISCONNECT with this reason: yes when it
 * speaks of the broker's state or the network, no when it says the client's request is wrong
 * (a malformed packet, an invalid subscription identifier, a session taken over, banned...).
 */
export function disconnectIsTransient(code: number): boolean {
  return TRANSIENT_DISCONNECTS.has(code)
}
