// How mosquitto 2.0.11's texts differ from 2.1.2's where ours follow 2.1.2: tests that compare
// our output with 2.0.11's put its lines in 2.1's words first.

// mosquitto 2.1 reworded libmosquitto's texts (mosquitto_strerror, mosquitto_connack_string): no
// final period, and "Invalid input" for MOSQ_ERR_INVAL. Ours follows 2.1, so 2.0.11's lines are
// put in 2.1's words before comparing; everything else in them must still match.
const LIBRARY_TEXTS_21: readonly (readonly [string, string])[] = [
  ['Invalid function arguments provided.', 'Invalid input'],
  ...['Out of memory.', 'A network protocol error occurred when communicating with the broker.',
    'The client is not currently connected.', 'The connection was refused.', 'The connection was lost.',
    'A TLS error occurred.', 'Payload too large.', 'This feature is not supported.', 'Authorisation failed.',
    'Access denied by ACL.', 'Unknown error.', 'Lookup error.', 'Proxy error.', 'TLS handshake failed.',
    'Requested QoS not supported on server.', 'Packet larger than supported by the server.',
    'Connection Accepted.', 'Connection Refused: unacceptable protocol version.', 'Connection Refused: identifier rejected.',
    'Connection Refused: broker unavailable.', 'Connection Refused: bad user name or password.',
    'Connection Refused: not authorised.', 'Connection Refused: unknown reason.',
  ].map((t) => [t, t.slice(0, -1)] as const),
]

/** 2.0.11's stderr with libmosquitto's texts as 2.1 words them. */
export function libraryTexts21(stderr: string): string {
  let out = stderr
  for (const [old, now] of LIBRARY_TEXTS_21) out = out.split(old).join(now)
  return out
}

/**
 * 2.0.11's -d lines as 2.1 prints them: a client id not yet known is "null" (2.0.11: "(null)"),
 * except in the "received CONNACK" line, where 2.1 still prints "(null)".
 */
export function debugLines21(stdout: string): string {
  return stdout.replace(/^Client \(null\) (?!received CONNACK)/gm, 'Client null ')
}
