// The MQTT client core: one connection at a time over any Duplex stream, written on mqtt-packet.
// It knows nothing of argv or sockets: the tools open a transport and hand the stream in, and
// call connect() again with a new stream to resume after a loss (in-flight messages are resent).
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import mqtt from 'mqtt-packet'
import type { IConnackPacket, IPublishPacket, Packet } from 'mqtt-packet'
import { ackReceivedLine, connackLogId, logId, publishLine, subscribeLine } from './debug-lines.js'
import { encodePacket, encodePublish, needsGenericEncoder, publishSize, writePublish, type PublishFields } from './encode.js'
import { InflightWindow, type PublishDone } from './inflight.js'
import { decodePublish, plainAckMid, publishUserProperties, writeAck, type AckType, type IncomingPublish, type UserPropertyList } from './decode-publish.js'
import { Framer, rawPublishTopic } from './framer.js'
import { directReadsOf, type DirectReads } from './incoming.js'
import { Keepalive } from './keepalive.js'
import { PacketWriter } from './packet-writer.js'
import type { ReceivedMessage } from './message.js'
import { reasonString } from './reason-codes.js'
import { checkLimits, limitsFrom, type ServerLimits } from './server-limits.js'
import { validateUtf8 } from './utf8.js'

/** What the core needs to know; the tools build it from their options. */
export interface ClientConfig {
  protocolVersion: 3 | 4 | 5
  clientId: string
  keepalive: number
  clean: boolean
  username?: string
  password?: Buffer
  will?: { topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean; properties?: Record<string, unknown> }
  connectProperties?: Record<string, unknown>
  maxInflight: number
  /** Debug lines, as libmosquitto logs them (mosquitto -d). */
  log?: (line: string) => void
}

/** One message to publish. */
export interface OutgoingMessage {
  topic: Buffer
  payload: Buffer
  qos: 0 | 1 | 2
  retain: boolean
  properties?: Record<string, unknown>
}

/** The broker refused the connection: `code` is the CONNACK return/reason code. */
export class ConnackRefused extends Error {
  constructor(readonly code: number, readonly packet: IConnackPacket) {
    super(`connection refused (${code})`)
  }
}

/** The connection ended without our DISCONNECT. `reason` says how. */
export class ConnectionLost extends Error {
  constructor(readonly reason: 'closed' | 'keepalive' | 'protocol' | 'disconnect', message: string, readonly packet?: Packet, options?: ErrorOptions) {
    super(message, options)
  }
}

/** A v5 PUBACK/PUBREC with a failure reason code. */
export class PublishFailed extends Error {
  constructor(readonly mid: number, readonly code: number, readonly reason?: string) {
    super(`Publish ${mid} failed: ${reasonString(code)}.`)
  }
}

const EMPTY = Buffer.alloc(0)

/** How long a subscriber waits for the broker to close after its DISCONNECT before closing itself. */
const CLOSE_WAIT_MS = 500

// onAck runs synchronously when the ack is read; returning false leaves the promise to the loss it caused.
type Waiter = { resolve: (p: Packet) => void; reject: (e: Error) => void; onAck?: (p: Packet) => boolean }

/** Events: 'message' (ReceivedMessage), 'drain', 'close' (Error | undefined). */
export class MqttClient extends EventEmitter {
  readonly window: InflightWindow
  connected = false
  private stream?: Duplex
  /** The stream's direct reads, when its transport gave it some (see incoming.ts). */
  private reads?: DirectReads
  private closing = false
  private readonly writer = new PacketWriter()
  private connackWaiter?: Waiter
  private readonly acks = new Map<number, Waiter>()
  private readonly incomingQos2 = new Map<number, ReceivedMessage>()
  private keepalive?: Keepalive
  private id: string
  private limits: ServerLimits = {}
  /** The raw topic bytes of the PUBLISH being parsed (set by the framer, read by onPublish). */
  private rawTopic?: Buffer
  /** The user properties of that PUBLISH in packet order (set by the framer, read by onParsedPublish). */
  private rawUserProperties?: UserPropertyList
  /** Topic aliases already established on this connection (reset on every connect). */
  private aliasesSent = new Set<number>()
  /** Topic aliases the broker set on this connection, alias -> topic (reset on every connect). */
  private aliasesReceived = new Map<number, Buffer>()

  /**
   * Asked as each PUBLISH arrives, before anything acknowledges it: false leaves the message
   * unacknowledged and undelivered, so that the broker keeps it for the session's next connection
   * (a tool that is stopping, or past -C's count, must never acknowledge what it will not print).
   * Messages a tool skips on purpose (filters) are accepted, then ignored.
   */
  accept: (msg: ReceivedMessage) => boolean = () => true

  constructor(readonly config: ClientConfig) {
    super()
    this.window = new InflightWindow(config.maxInflight)
    this.id = logId(config.clientId)
  }

  /** Send CONNECT over `stream`; resolves on a successful CONNACK, rejects ConnackRefused/ConnectionLost. */
  /**
   * Send CONNECT over `stream`; resolves on CONNACK. `onConnected` runs as the CONNACK is read,
   * before any packet after it in the same read (a persistent session's queued messages): what it
   * sends (SUBSCRIBE, as libmosquitto's on_connect does) goes out before their acknowledgements.
   */
  connect(stream: Duplex, onConnected?: () => void): Promise<IConnackPacket> {
    this.onConnected = onConnected
    this.attach(stream)
    const c = this.config
    this.log(`Client ${this.id} sending CONNECT`)
    this.sendOrClose({
      cmd: 'connect', protocolId: c.protocolVersion === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: c.protocolVersion,
      clean: c.clean, clientId: c.clientId, keepalive: c.keepalive, username: c.username, password: c.password,
      will: c.will, properties: c.connectProperties,
    } as Packet)
    const connack = new Promise<IConnackPacket>((resolve, reject) => {
      this.connackWaiter = { resolve: (p) => resolve(p as IConnackPacket), reject }
    })
    // A loss in the same chunk as the CONNACK (garbage after it, say) must not pass for success.
    return connack.then((p) => {
      if (!this.connected) throw this.lastLoss ?? new ConnectionLost('closed', 'The connection was lost.')
      return p
    })
  }

  /** Why the last connection ended, if it ended under us. */
  lastLoss?: ConnectionLost

  private onConnected?: () => void

  /** Queue or send one message; false means "wait for 'drain' before the next". */
  publish(msg: OutgoingMessage, done?: PublishDone): boolean {
    const fields: PublishFields = { topic: msg.topic, payload: msg.payload, qos: msg.qos, retain: msg.retain, dup: false, mid: 0, properties: msg.properties }
    if (this.connected && this.window.queue.length === 0 && (msg.qos === 0 || this.window.hasRoom())) {
      this.start(fields, done)
    } else {
      this.window.queue.push({ fields, done })
    }
    return this.ready()
  }

  /** True when another publish would go out at once. */
  ready(): boolean {
    return this.connected && !this.writer.blocked && this.window.queue.length === 0 && this.window.hasRoom()
  }

  /** SUBSCRIBE all filters at one QoS and options byte; resolves with the SUBACK's granted codes. */
  /**
   * SUBSCRIBE all filters at one QoS and options byte; resolves with the SUBACK's granted codes.
   * `onSuback` runs as the SUBACK is read, before any packet that followed it in the same read
   * (libmosquitto's order: the "Subscribed" line comes before the first message).
   */
  subscribe(
    filters: string[], qos: number, options = 0, properties?: Record<string, unknown>,
    onSuback?: (mid: number, granted: number[]) => void,
  ): Promise<{ mid: number; granted: number[] }> {
    const mid = this.window.nextMid()
    for (const f of filters) this.log(subscribeLine(this.id, mid, f, qos, options))
    const v5 = this.config.protocolVersion === 5
    const subscriptions = filters.map((topic) => ({
      topic, qos, ...(v5 ? { nl: (options & 4) !== 0, rap: (options & 8) !== 0, rh: (options >> 4) & 3 } : {}),
    }))
    let granted: number[] = []
    return this.request(mid, { cmd: 'subscribe', messageId: mid, subscriptions, properties } as Packet, (suback) => {
      this.log(`Client ${this.id} received SUBACK`)
      granted = (suback as { granted: number[] }).granted
      // [MQTT-3.9.3-1] one return code per filter; anything else is a broken broker.
      if (granted.length !== filters.length) {
        this.lose(new ConnectionLost('protocol', `SUBACK with ${granted.length} return codes for ${filters.length} topic filters`))
        return false
      }
      onSuback?.(mid, granted)
      return true
    }).then(() => ({ mid, granted }))
  }

  /** UNSUBSCRIBE one filter; resolves on UNSUBACK. */
  async unsubscribe(filter: string, properties?: Record<string, unknown>): Promise<void> {
    const mid = this.window.nextMid()
    this.log(`Client ${this.id} sending UNSUBSCRIBE (Mid: ${mid}, Topic: ${filter})`)
    await this.request(mid, { cmd: 'unsubscribe', messageId: mid, unsubscriptions: [filter], properties } as Packet)
    this.log(`Client ${this.id} received UNSUBACK`)
  }

  /**
   * Send DISCONNECT and close; resolves when the stream is closed. Unless `quick`, wait for the
   * broker to close first (mosquitto does within a millisecond of reading the DISCONNECT), reading
   * on meanwhile: closing with unread bytes makes the kernel send a reset, and a broker may then
   * drop our last acknowledgements (mosquitto 2.1.2 sent 9 of 30 QoS 1 messages again to the
   * session's next run) or the DISCONNECT that withholds a will. A broker that does not close gets
   * CLOSE_WAIT_MS. With `quick` (nothing that the broker must still read: a clean session without
   * a will) close as soon as our bytes are with the kernel.
   */
  disconnect(reasonCode = 0, properties?: Record<string, unknown>, quick = false): Promise<void> {
    const stream = this.stream
    if (!stream || stream.destroyed) return Promise.resolve()
    this.closing = true
    if (this.connected) {
      this.log(`Client ${this.id} sending DISCONNECT`)
      const v5 = this.config.protocolVersion === 5
      // [MQTT-3.14.2.1] reason 0 without properties may be left out: e0 00, as libmosquitto sends
      // (mqtt-packet's v5 encoder would always add them).
      if (v5 && (reasonCode || (properties && Object.keys(properties).length > 0))) this.send({ cmd: 'disconnect', reasonCode, properties } as Packet)
      else this.write(Buffer.from([0xe0, 0x00]))
    }
    this.writer.flush()
    // A paused stream (slow stdout) would never see the broker's close.
    this.resumeIncoming()
    return new Promise((resolve) => {
      const close = (): void => {
        clearTimeout(timer)
        // destroy() closes the socket now; its 'close' event is only news, a loop turn later.
        stream.destroy()
        resolve()
      }
      stream.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      // [MQTT-3.14.4-1] after DISCONNECT the client closes the connection, whatever the broker does.
      const timer = setTimeout(close, quick ? 2000 : CLOSE_WAIT_MS)
      // Nothing left in the stream's own buffer: the DISCONNECT is with the kernel already.
      if (quick && stream.writableLength === 0) return close()
      stream.end(() => {
        if (quick) close()
      })
    })
  }

  /** Stop reading from the broker (stdout is slow); keepalive does not count the pause. */
  pauseIncoming(): void {
    ;(this.reads ?? this.stream)?.pause()
    this.keepalive?.pause()
  }

  /** Resume reading after pauseIncoming(). */
  resumeIncoming(): void {
    this.keepalive?.resume()
    ;(this.reads ?? this.stream)?.resume()
  }

  /**
   * Accepted QoS 2 messages whose PUBREL has not come yet, taken out of the client: they were
   * acknowledged (PUBREC), so a tool that stops now prints them rather than lose them.
   */
  releaseHeld(): ReceivedMessage[] {
    const held = [...this.incomingQos2.values()]
    this.incomingQos2.clear()
    return held
  }

  /** Close the stream at once, without DISCONNECT (the broker then publishes our will). */
  destroy(): void {
    this.closing = true
    this.stream?.destroy()
  }

  private attach(stream: Duplex): void {
    this.stream = stream
    // Anything gathered for the last connection is not for this one.
    this.writer.reset({ write: (data) => stream.destroyed || stream.write(data), sent: () => this.keepalive?.sent() })
    this.aliasesSent = new Set()
    this.aliasesReceived = new Map()
    this.closing = false
    const parser = mqtt.parser({ protocolVersion: this.config.protocolVersion })
    parser.on('packet', (p: Packet) => this.onPacket(p))
    parser.on('error', (err: Error) => this.lose(new ConnectionLost('protocol', err.message)))
    // Whether every packet of the current read was a QoS 0 PUBLISH (nothing to answer soon).
    let onlyQos0 = true
    const framer = new Framer(this.config.protocolVersion, (packet) => {
      // [MQTT-3.14.4-2] after DISCONNECT nothing more is sent, so nothing more is answered.
      if (!this.stream || this.closing) return
      if ((packet[0] & 0xf6) !== 0x30) onlyQos0 = false
      // A v5 CONNECT answered by a 3.x-only broker: a 2-byte CONNACK (no properties), which
      // mqtt-packet would misread as a v5 one.
      if (packet[0] === 0x20 && packet.length === 4 && this.config.protocolVersion === 5) return this.onShortConnack(packet[3])
      const ackMid = plainAckMid(packet)
      if (ackMid > 0) return this.onPlainAck(packet[0] >> 4, ackMid)
      if (packet[0] >> 4 === 3) {
        const fast = decodePublish(packet, this.config.protocolVersion)
        if (fast === null) return this.lose(new ConnectionLost('protocol', 'malformed PUBLISH packet'))
        if (fast) return this.onPublish(fast)
        // mqtt-packet decodes topics as text (invalid UTF-8 would become U+FFFD): keep the bytes.
        this.rawTopic = rawPublishTopic(packet)
        // ...and mqtt-packet groups user properties by key: keep their packet order as mosquitto prints it.
        this.rawUserProperties = publishUserProperties(packet)
      }
      parser.parse(packet)
    })
    const onChunk = (chunk: Buffer): boolean => {
      this.keepalive?.received()
      onlyQos0 = true
      try {
        framer.push(chunk)
      } catch (err) {
        this.lose(new ConnectionLost('protocol', (err as Error).message))
      }
      return onlyQos0 && this.stream === stream
    }
    this.reads = directReadsOf(stream)
    if (this.reads) this.reads.onChunk = onChunk
    else stream.on('data', onChunk)
    stream.on('drain', () => {
      this.writer.blocked = false
      if (this.ready()) this.emit('drain')
    })
    stream.on('error', (err: Error) => this.lose(new ConnectionLost('closed', err.message, undefined, { cause: err })))
    stream.on('close', () => this.lose(new ConnectionLost('closed', 'The connection was lost.')))
    this.keepalive = new Keepalive(this.config.keepalive, {
      ping: () => {
        this.log(`Client ${this.id} sending PINGREQ`)
        this.send({ cmd: 'pingreq' })
      },
      dead: () => {
        this.lose(new ConnectionLost('keepalive', 'Keepalive exceeded'))
        stream.destroy()
      },
    })
  }

  private lose(err: ConnectionLost): void {
    if (!this.stream) return
    const intended = this.closing
    if (!intended) this.lastLoss = err
    this.stream.destroy()
    this.stream = undefined
    this.reads = undefined
    this.writer.reset(undefined)
    this.connected = false
    this.keepalive?.stop()
    this.keepalive = undefined
    this.connackWaiter?.reject(err)
    this.connackWaiter = undefined
    for (const [mid, waiter] of this.acks) {
      this.window.reserved.delete(mid)
      waiter.reject(err)
    }
    this.acks.clear()
    this.emit('close', intended ? undefined : err)
  }

  private request(mid: number, packet: Packet, onAck?: (p: Packet) => boolean): Promise<Packet> {
    if (!this.stream) return Promise.reject(this.lastLoss ?? new ConnectionLost('closed', 'The connection was lost.'))
    this.window.reserved.add(mid)
    this.send(packet)
    return new Promise((resolve, reject) => this.acks.set(mid, { resolve, reject, onAck }))
  }

  private onPacket(p: Packet): void {
    // [MQTT-2.2.1-3] packet identifiers are 1..65535 (mqtt-packet reads a 1-byte PUBACK as -1).
    const id = (p as { messageId?: number }).messageId
    const needsId = p.cmd === 'puback' || p.cmd === 'pubrec' || p.cmd === 'pubrel' || p.cmd === 'pubcomp' || p.cmd === 'suback' ||
      p.cmd === 'unsuback' || (p.cmd === 'publish' && p.qos > 0)
    if (needsId && !(id !== undefined && id >= 1 && id <= 65535)) {
      return this.lose(new ConnectionLost('protocol', `${p.cmd.toUpperCase()} with an invalid packet identifier`))
    }
    switch (p.cmd) {
      case 'connack': return this.onConnack(p)
      case 'publish': return this.onParsedPublish(p)
      case 'puback': return this.onAck('PUBACK', p.messageId!, p.reasonCode ?? 0, p.properties?.reasonString)
      case 'pubrec': return this.onPubrec(p.messageId!, p.reasonCode ?? 0, p.properties?.reasonString)
      case 'pubcomp': return this.onAck('PUBCOMP', p.messageId!, p.reasonCode ?? 0, p.properties?.reasonString)
      case 'pubrel': return this.onPubrel(p.messageId!)
      case 'suback':
      case 'unsuback': return this.settle(p.messageId!, p)
      case 'pingresp':
        this.log(`Client ${this.id} received PINGRESP`)
        return this.keepalive?.pong()
      case 'disconnect':
        this.log(`Received DISCONNECT (${p.reasonCode ?? 0})`)
        return this.lose(new ConnectionLost('disconnect', reasonString(p.reasonCode ?? 0), p))
      default:
        // [MQTT-4.8.0-1] anything else from a server is a protocol error.
        return this.lose(new ConnectionLost('protocol', `unexpected ${p.cmd} packet from the broker`))
    }
  }

  /**
   * A CONNACK without properties in answer to a v5 CONNECT. Return code 1 is MQTT 3.x's
   * "unacceptable protocol version": the broker does not speak v5, reported as reason 132
   * (Unsupported Protocol Version), as libmosquitto 2.0 does. Anything else is malformed.
   */
  private onShortConnack(code: number): void {
    if (code !== 1 || !this.connackWaiter) return this.lose(new ConnectionLost('protocol', 'malformed CONNACK'))
    this.onConnack({ cmd: 'connack', sessionPresent: false, reasonCode: 132 })
  }

  private onConnack(p: IConnackPacket): void {
    const code = (this.config.protocolVersion === 5 ? p.reasonCode : p.returnCode) ?? 0
    // libmosquitto adopts a broker-assigned id before it logs the CONNACK.
    const assignedId = p.properties?.assignedClientIdentifier
    if (assignedId && code === 0) this.id = assignedId
    this.log(`Client ${connackLogId(this.id)} received CONNACK (${code})`)
    const waiter = this.connackWaiter
    this.connackWaiter = undefined
    if (!waiter) return this.lose(new ConnectionLost('protocol', 'unexpected CONNACK'))
    if (code !== 0) {
      // [MQTT-3.2.2-5] the server closes after a refusal; do not wait for it.
      this.closing = true
      this.lose(new ConnectionLost('closed', 'refused'))
      return waiter.reject(new ConnackRefused(code, p))
    }
    this.limits = this.config.protocolVersion === 5 ? limitsFrom(p) : {}
    const serverKeepAlive = p.properties?.serverKeepAlive
    // [MQTT-3.2.2-22] the broker's keep alive replaces ours.
    if (serverKeepAlive !== undefined && this.keepalive) this.keepalive.setSeconds(serverKeepAlive)
    const receiveMaximum = p.properties?.receiveMaximum
    this.window.limit = Math.min(this.config.maxInflight, receiveMaximum ?? Infinity)
    this.connected = true
    this.keepalive?.connackReceived()
    // QoS 2 messages acknowledged with PUBREC on the last connection wait for their PUBREL; a new
    // session will never send it, so they are delivered now (they are ours: the broker let them go).
    if (p.sessionPresent !== true) for (const msg of this.releaseHeld()) this.emit('message', msg)
    this.resend(p.sessionPresent === true)
    const onConnected = this.onConnected
    this.onConnected = undefined
    onConnected?.()
    waiter.resolve(p)
    this.pump()
  }

  // After a reconnect: what the broker had not acknowledged goes again, in order [MQTT-4.4.0-1].
  /**
   * After a reconnect: every unacknowledged message again [MQTT-4.4.0-1]. A message waiting for
   * PUBCOMP is released again with PUBREL only when the broker kept our session: a new session
   * never had that packet id (mosquitto answers the PUBREL with PUBCOMP all the same), and the
   * message may have been lost with the old one, so it is published again (at least once beats
   * lost; mosquitto_pub loses it and exits 0).
   */
  private resend(sessionPresent: boolean): void {
    for (const [mid, entry] of this.window.entries) {
      if (entry.state === 'pubrel' && !sessionPresent) entry.state = 'publish'
      if (entry.state === 'pubrel') {
        this.log(`Client ${this.id} sending PUBREL (m${mid})`)
        this.writeAck('pubrel', mid)
      } else {
        entry.fields.dup = true
        this.sendPublish(entry.fields)
      }
    }
  }

  private start(fields: PublishFields, done?: PublishDone): void {
    fields.mid = this.window.nextMid()
    const v = this.config.protocolVersion
    const generic = needsGenericEncoder(fields)
    const packet = generic ? encodePublish(fields, v) : undefined
    const refused = checkLimits(this.limits, fields, packet ? packet.length : publishSize(fields, v))
    if (refused) return done?.(refused)
    if (fields.qos > 0) this.window.entries.set(fields.mid, { fields, state: 'publish', done })
    this.sendPublish(fields, packet)
    if (fields.qos === 0) done?.()
  }

  private pump(): void {
    const q = this.window.queue
    while (this.connected && q.length > 0 && (q[0].fields.qos === 0 || this.window.hasRoom())) {
      const next = q.shift()!
      this.start(next.fields, next.done)
    }
    if (this.ready()) this.emit('drain')
  }

  // `encoded` is the packet as first built (v5 properties); it is reused unless the topic alias
  // changes it. Without properties the packet is written straight into the output buffer.
  private sendPublish(f: PublishFields, encoded?: Buffer): void {
    const alias = f.properties?.topicAlias as number | undefined
    if (alias !== undefined && f.topic.length > 0) {
      // [MQTT-3.3.2-12] once the alias is set on this connection, the topic may be left out.
      if (this.aliasesSent.has(alias)) {
        f = { ...f, topic: EMPTY }
        encoded = undefined
      } else this.aliasesSent.add(alias)
    }
    // libmosquitto logs a PUBLISH sent by alias only (no topic) as '(null)'.
    const shown = f.topic.length > 0 ? f.topic.toString('utf8') : '(null)'
    if (this.config.log) this.log(publishLine(this.id, 'sending', f.dup, f.qos, f.retain, f.mid, shown, f.payload.length))
    const v = this.config.protocolVersion
    if (needsGenericEncoder(f)) return this.write(encoded && !f.dup ? encoded : encodePublish(f, v))
    const size = publishSize(f, v)
    const room = this.writer.room(size)
    if (!room) return this.write(encodePublish(f, v))
    writePublish(room, this.writer.length, f, v)
    this.writer.commit(size)
  }

  // PUBACK, PUBREC, PUBREL or PUBCOMP with reason Success, decoded directly (one per QoS 1/2 message).
  private onPlainAck(type: number, mid: number): void {
    if (type === 4) return this.onAck('PUBACK', mid, 0)
    if (type === 5) return this.onPubrec(mid, 0)
    if (type === 6) return this.onPubrel(mid)
    return this.onAck('PUBCOMP', mid, 0)
  }

  private onAck(cmd: 'PUBACK' | 'PUBCOMP', mid: number, code: number, reason?: string): void {
    if (this.config.log) this.log(ackReceivedLine(this.id, cmd, mid, code))
    const entry = this.window.entries.get(mid)
    if (!entry) return this.unknownAck(cmd, mid)
    // mosquitto: a PUBCOMP completes a QoS 2 message whether or not PUBREC came first; an ack
    // of the other QoS's kind (a broker that downgraded QoS 2 to 1 answers PUBACK) is a
    // protocol error that ends the connection, never a message waiting forever.
    if ((cmd === 'PUBACK') !== (entry.fields.qos === 1)) return this.wrongAck(cmd, mid, entry.fields.qos)
    this.window.entries.delete(mid)
    entry.done?.(code >= 128 ? new PublishFailed(mid, code, reason) : undefined)
    this.pump()
  }

  private onPubrec(mid: number, code: number, reason?: string): void {
    if (this.config.log) this.log(`Client ${this.id} received PUBREC (Mid: ${mid})`)
    const entry = this.window.entries.get(mid)
    if (!entry) return this.unknownAck('PUBREC', mid)
    if (entry.fields.qos !== 2) return this.wrongAck('PUBREC', mid, entry.fields.qos)
    if (code >= 128) {
      this.window.entries.delete(mid)
      entry.done?.(new PublishFailed(mid, code, reason))
      return this.pump()
    }
    entry.state = 'pubrel'
    if (this.config.log) this.log(`Client ${this.id} sending PUBREL (m${mid})`)
    this.writeAck('pubrel', mid)
  }

  // A PUBLISH decoded by mqtt-packet (v5 properties): into the same shape as the direct decoder's.
  private onParsedPublish(p: IPublishPacket): void {
    const topic = this.rawTopic ?? Buffer.from(p.topic, 'utf8')
    const userPropertyList = this.rawUserProperties
    this.rawTopic = undefined
    this.rawUserProperties = undefined
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload
    const properties = p.properties && Object.keys(p.properties).length > 0 ? p.properties : undefined
    this.onPublish({ topic, payload, qos: p.qos, retain: p.retain, dup: p.dup, mid: p.messageId ?? 0, properties, userPropertyList })
  }

  private onPublish(p: IncomingPublish): void {
    const { mid } = p
    // [MQTT-2.2.1-3] a QoS 1/2 PUBLISH needs a packet identifier of 1..65535.
    if (p.qos > 0 && mid === 0) return this.lose(new ConnectionLost('protocol', 'PUBLISH with an invalid packet identifier'))
    const topic = this.resolveTopic(p)
    if (!topic) return
    // [MQTT-1.5.4-1] a topic that is not UTF-8 is a protocol error (mosquitto drops the connection).
    if (topic.length > 0 && !validateUtf8(topic)) return this.lose(new ConnectionLost('protocol', 'PUBLISH with a topic that is not valid UTF-8'))
    if (this.config.log) this.log(publishLine(this.id, 'received', p.dup, p.qos, p.retain, mid, topic.toString('utf8'), p.payload.length))
    const msg: ReceivedMessage = { topic, payload: p.payload, qos: p.qos, retain: p.retain, mid }
    if (p.properties) msg.properties = p.properties as ReceivedMessage['properties']
    if (p.userPropertyList) msg.userPropertyList = p.userPropertyList
    if (p.qos === 2) {
      // A PUBLISH sent again (DUP) for a message already taken: acknowledge again, deliver once.
      if (!this.incomingQos2.has(mid)) {
        if (!this.accept(msg)) return
        // libmosquitto delivers a QoS 2 message when the PUBREL arrives (exactly once).
        this.incomingQos2.set(mid, msg)
      }
      if (this.config.log) this.log(`Client ${this.id} sending PUBREC (m${mid}, rc0)`)
      return this.writeAck('pubrec', mid)
    }
    if (!this.accept(msg)) return
    if (p.qos === 1) {
      if (this.config.log) this.log(`Client ${this.id} sending PUBACK (m${mid}, rc0)`)
      this.writeAck('puback', mid)
    }
    this.emit('message', msg)
  }

  /**
   * The topic of an incoming PUBLISH, through the broker's topic aliases [MQTT-3.3.2.3.4]: a topic
   * with an alias sets it, an empty topic with an alias uses it. An alias of 0, above the maximum
   * we announced, or never set is a protocol error (DISCONNECT 0x94): undefined then.
   */
  private resolveTopic(p: IncomingPublish): Buffer | undefined {
    const alias = (p.properties as { topicAlias?: number } | undefined)?.topicAlias
    if (alias === undefined) return p.topic
    const maximum = (this.config.connectProperties?.topicAliasMaximum as number | undefined) ?? 0
    if (alias === 0 || alias > maximum) {
      this.protocolError(0x94, `PUBLISH with topic alias ${alias}, above the maximum of ${maximum} this client allows`)
      return undefined
    }
    if (p.topic.length > 0) {
      this.aliasesReceived.set(alias, Buffer.from(p.topic)) // a copy: not the whole read it came in
      return p.topic
    }
    const topic = this.aliasesReceived.get(alias)
    if (!topic) this.protocolError(0x94, `PUBLISH with topic alias ${alias}, which the broker never set`)
    return topic
  }

  private onPubrel(mid: number): void {
    if (this.config.log) this.log(`Client ${this.id} received PUBREL (Mid: ${mid})`)
    const msg = this.incomingQos2.get(mid)
    this.incomingQos2.delete(mid)
    // libmosquitto completes the flow first, then hands the message over.
    if (this.config.log) this.log(`Client ${this.id} sending PUBCOMP (m${mid})`)
    this.writeAck('pubcomp', mid)
    if (msg) this.emit('message', msg)
  }

  private settle(mid: number, p: Packet): void {
    const waiter = this.acks.get(mid)
    if (!waiter) return this.unknownAck(p.cmd.toUpperCase(), mid)
    this.acks.delete(mid)
    this.window.reserved.delete(mid)
    if (waiter.onAck && !waiter.onAck(p)) return waiter.reject(this.lastLoss ?? new ConnectionLost('protocol', 'bad acknowledgement'))
    waiter.resolve(p)
  }

  /**
   * An acknowledgement for a packet identifier nothing waits for. mosquitto logs it and carries on,
   * so a broker that acknowledges the wrong id leaves mosquitto_pub waiting forever; here it is the
   * protocol error it is, and the run ends with a clear message.
   */
  private unknownAck(cmd: string, mid: number): void {
    this.log(`Warning: Received ${cmd} from ${this.id} for an unknown packet identifier ${mid}.`)
    this.protocolError(0x82, `${cmd} for packet identifier ${mid}, which nothing was waiting for`)
  }

  // A broker that grants less than QoS 2 (RabbitMQ) answers a QoS 2 PUBLISH with PUBACK.
  private wrongAck(cmd: string, mid: number, qos: number): void {
    const hint = qos === 2 ? ' (it may not support QoS 2: try -q 1)' : ''
    this.protocolError(0x82, `${cmd} for QoS ${qos} message ${mid}: the broker handled it as QoS ${3 - qos}${hint}`)
  }

  /** End the connection for a broker's protocol error: v5 says why first with DISCONNECT [MQTT-4.13.1-1]. */
  private protocolError(reasonCode: number, message: string): void {
    if (this.config.protocolVersion === 5 && this.stream && !this.closing) {
      this.log(`Client ${this.id} sending DISCONNECT`)
      this.send({ cmd: 'disconnect', reasonCode } as Packet)
      this.writer.flush()
    }
    this.lose(new ConnectionLost('protocol', message))
  }

  // send(), but a packet mqtt-packet cannot encode closes the connection instead of leaving it open.
  private sendOrClose(packet: Packet): void {
    try {
      this.send(packet)
    } catch (err) {
      this.closing = true
      this.lose(new ConnectionLost('protocol', (err as Error).message))
      throw err
    }
  }

  private send(packet: Packet): void {
    this.write(encodePacket(packet, this.config.protocolVersion))
  }

  private write(buf: Buffer): void {
    this.writer.write(buf)
  }

  // The 4-byte acknowledgements go straight into the gathered writes (one per QoS 1/2 message).
  private writeAck(cmd: AckType, mid: number): void {
    writeAck(this.writer.room(4)!, this.writer.length, cmd, mid)
    this.writer.commit(4)
  }

  private log(line: string): void {
    this.config.log?.(line)
  }
}
