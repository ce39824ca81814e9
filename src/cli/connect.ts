// Shared by both tools (mosquitto's client_opts_set + client_connect): Options -> ClientConfig,
// the client id rules, opening the transport, and mosquitto's texts for a refused connection.
import type { Duplex } from 'node:stream'
import { ConnackRefused, ConnectionLost, type ClientConfig } from '../core/client.js'
import { ExitCode, ToolError } from '../core/errors.js'
import { connackString, disconnectIsTransient, errorLine, reasonString, strerror, unableToConnect } from '../core/reason-codes.js'
import { validateUtf8 } from '../core/utf8.js'
import type { Options } from '../options/types.js'
import { checkPasswordSource, resolvePassword } from './password.js'
import { openTransport } from '../transport/index.js'
import { appendProperties } from '../core/encode.js'

// MQTT v5 property identifier of receive-maximum [MQTT-2.2.2.2].
const RECEIVE_MAXIMUM = 0x21

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** The client id to send: -i, -I prefix + pid, or (MQTT v3.1 only) a random mosq- id. */
export function clientIdFor(o: Options): string {
  if (o.idPrefix !== undefined) return `${Buffer.from(o.idPrefix, 'latin1').toString('utf8')}${process.pid}`
  if (o.id !== undefined) return o.id.toString('utf8')
  // mosquitto: only v3.1 makes an id up; v3.1.1 and v5 let the broker assign one.
  if (o.protocolVersion === 3) {
    // Loaded here, not imported: node:crypto is a dozen modules that every other run would carry.
    const { randomInt } = process.getBuiltinModule('node:crypto')
    return 'mosq-' + Array.from({ length: 18 }, () => ID_CHARS[randomInt(ID_CHARS.length)]).join('')
  }
  return ''
}

/**
 * Checks mosquitto makes when creating the client, before connecting; then the password from
 * --pw-file or --pw-prompt, last, so that no check fails after the user typed it.
 */
export function checkIdentity(o: Options): void {
  // mosquitto fails the connect here for connect properties, and for the others silently does
  // nothing (publishes nothing, or hangs): properties need MQTT v5, so we refuse them all.
  if (o.protocolVersion !== 5 && o.properties.length > 0) {
    throw new ToolError(ExitCode.USAGE, unableToConnect(ExitCode.NOT_SUPPORTED))
  }
  // mosquitto: an -I prefix that is not UTF-8 exits 1 silently; we say why.
  if (o.idPrefix !== undefined && !validateUtf8(Buffer.from(o.idPrefix, 'latin1'))) {
    throw new ToolError(ExitCode.USAGE, 'Error: Malformed UTF-8 in -I argument.\n')
  }
  if (o.id !== undefined) {
    if (o.id.length === 0) {
      throw new ToolError(ExitCode.USAGE, o.tool === 'pub' ? 'Error: Invalid id.\n' : 'Error: Invalid id and/or clean_session.\n')
    }
    // mosquitto: an id that is not UTF-8 exits 1 silently; we say why.
    if (!validateUtf8(o.id)) throw new ToolError(ExitCode.USAGE, 'Error: Malformed UTF-8 in -i argument.\n')
  }
  // mosquitto: a session that outlives the connection needs an id the broker can find it by
  // (MQTT v5 with -c -x 0 gets here; v3 was refused while parsing).
  if (!o.cleanSession && o.id === undefined && o.idPrefix === undefined) {
    throw new ToolError(ExitCode.USAGE, o.tool === 'pub' ? 'Error: Invalid id.\n' : 'Error: Invalid id and/or clean_session.\n')
  }
  const badUser = o.username !== undefined && !validateUtf8(o.username)
  const passwordAlone = o.password !== undefined && o.username === undefined && o.protocolVersion !== 5
  // CONNECT carries these with a 2-byte length (mosquitto refuses a longer user name here, and
  // sends a longer password cut short, which the broker drops).
  const tooLong = (field?: Buffer): boolean => field !== undefined && field.length > MAX_FIELD
  const problem = (): ToolError => new ToolError(ExitCode.USAGE, 'Error: Problem setting username and/or password.\n')
  if (badUser || passwordAlone || tooLong(o.username) || tooLong(o.password)) throw problem()
  checkPasswordSource(o)
  // mosquitto sends these cut short too, and reports the connection the broker drops; we say why.
  if ((o.id !== undefined || o.idPrefix !== undefined) && Buffer.byteLength(clientIdFor(o)) > MAX_FIELD) throw new ToolError(ExitCode.USAGE, `Error: The client id is longer than ${MAX_FIELD} bytes.\n`)
  if (tooLong(o.will?.payload)) throw new ToolError(ExitCode.USAGE, `Error: The will payload is longer than ${MAX_FIELD} bytes.\n`)
  resolvePassword(o)
  if (tooLong(o.password)) throw problem()
}

/** The longest string or binary field of a CONNECT packet. */
const MAX_FIELD = 65535

/** The core's configuration for these options. */
export function clientConfig(o: Options, log?: (line: string) => void): ClientConfig {
  const v5 = o.protocolVersion === 5
  const will = o.will && {
    topic: o.will.topic.toString('utf8'), payload: o.will.payload, qos: o.will.qos, retain: o.will.retain,
    properties: v5 ? o.propertyMap.will : undefined,
  }
  // -D connect properties in the order given, session expiry last (built by the option parser),
  // then receive maximum unless -D gave one. mosquitto: tssub -C n below 20 asks the broker for
  // only n messages in flight (and tsrr, which counts one message, for 1).
  const given = o.propertyMap.connect
  const receiveMaximum = o.count !== undefined && o.count < 20 ? o.count : 20
  const connectProperties = given && 'receiveMaximum' in given ? given : appendProperties(given, [['receiveMaximum', RECEIVE_MAXIMUM, receiveMaximum]])
  return {
    protocolVersion: o.protocolVersion,
    clientId: clientIdFor(o),
    keepalive: o.keepalive,
    clean: o.cleanSession,
    username: o.username?.toString('utf8'),
    password: o.password,
    will,
    connectProperties: v5 ? connectProperties : undefined,
    maxInflight: o.maxInflight,
    log,
  }
}

/**
 * Whether the broker must read everything up to our DISCONNECT before we close: a session that
 * outlives the connection (our last acknowledgements keep its messages from coming again), a will
 * (the DISCONNECT is what withholds it) or DISCONNECT properties. Closing with unread bytes makes
 * the kernel send a reset, which a broker may act on before reading them (mosquitto does), so then
 * we wait for the broker's close. Otherwise there is nothing to lose: close at once, as
 * mosquitto's clients do.
 */
export function brokerMustReadDisconnect(o: Options): boolean {
  const v5 = o.protocolVersion === 5
  const expiry = v5 ? Number(o.propertyMap.connect?.sessionExpiryInterval ?? 0) : 0
  const props = v5 ? o.propertyMap.disconnect : undefined
  return !o.cleanSession || expiry > 0 || o.will !== undefined || (props !== undefined && Object.keys(props).length > 0)
}

/** Open the connection the options describe (the transport layer picks TCP, TLS, WebSocket...). */
export function openStream(o: Options, onConnected?: () => void): Promise<Duplex> {
  return openTransport(o, onConnected)
}

/** mosquitto's text and exit code for a connection that failed at the MQTT level. */
export function connectFailure(o: Options, err: unknown): unknown {
  if (err instanceof ConnackRefused) {
    const v5 = o.protocolVersion === 5
    let text = v5 ? `Connection error: ${reasonString(err.code)}` : `Connection error: ${connackString(err.code)}`
    if (v5 && err.code === 132) text = 'Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.'
    text += '\n'
    // Beyond mosquitto: the broker's own explanation, when it gave one.
    const reason = err.packet.properties?.reasonString
    if (v5 && reason) text += `Connection error: the broker says: ${reason}\n`
    if (o.tool === 'pub') {
      text += errorLine(v5 ? ExitCode.PROTOCOL : ExitCode.CONN_REFUSED)
    }
    return new ToolError(err.code, text)
  }
  if (err instanceof ConnectionLost) return lostError(err)
  return err
}

/**
 * Whether a lost connection must end the run rather than be retried: a protocol error (a broken
 * broker stays broken), or a DISCONNECT saying the request itself is wrong (trying again would be
 * refused again, forever and silently). A lost network, or a broker shutting down, is retried.
 */
export function lossIsFinal(err: unknown): err is ConnectionLost {
  if (!(err instanceof ConnectionLost)) return false
  const code = (err.packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0
  return err.reason === 'protocol' || (err.reason === 'disconnect' && !disconnectIsTransient(code))
}

/** The error for a connection that ended under us. */
export function lostError(err: ConnectionLost): ToolError {
  const cause = err.cause as NodeJS.ErrnoException | undefined
  // A TLS alert after the handshake (e.g. a refused client certificate under TLS 1.3).
  if (cause?.code?.startsWith('ERR_SSL')) {
    return new ToolError(ExitCode.TLS, `Error: the TLS connection failed: ${cause.message}\n${errorLine(ExitCode.TLS)}`)
  }
  if (err.reason === 'protocol') {
    return new ToolError(ExitCode.PROTOCOL, `Error: ${strerror(ExitCode.PROTOCOL)} (${err.message}).\n`)
  }
  if (err.reason === 'keepalive') return new ToolError(ExitCode.KEEPALIVE, `Error: ${strerror(ExitCode.KEEPALIVE)}: the broker stopped answering.\n`)
  if (err.reason === 'disconnect') {
    // MQTT v5: the broker said why it ended the connection; say it too.
    const p = err.packet as { reasonCode?: number; properties?: { reasonString?: string } } | undefined
    const code = p?.reasonCode ?? 0
    const why = p?.properties?.reasonString ? `: ${p.properties.reasonString}` : ''
    return new ToolError(ExitCode.CONN_LOST, `Error: ${strerror(ExitCode.CONN_LOST)}: the broker sent DISCONNECT (${reasonString(code)}, reason code ${code})${why}.\n`)
  }
  return new ToolError(ExitCode.CONN_LOST, errorLine(ExitCode.CONN_LOST))
}
