// What a v5 broker's CONNACK allows [MQTT-3.2.2.3]: a message over a limit is refused locally,
// with libmosquitto's error, instead of being sent and getting us disconnected.
import type { IConnackPacket } from 'mqtt-packet'
import type { PublishFields } from './encode.js'

/** The broker's limits; absent properties mean "no limit". */
export interface ServerLimits {
  maximumPacketSize?: number
  maximumQoS?: number
  retainAvailable?: boolean
  topicAliasMaximum?: number
}

/** A publish the broker's limits forbid; `code` is libmosquitto's return code. */
export class LimitExceeded extends Error {
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

/** Read the limits out of a CONNACK (v3 CONNACKs have none). */
export function limitsFrom(p: IConnackPacket): ServerLimits {
  const props = p.properties ?? {}
  return {
    maximumPacketSize: props.maximumPacketSize,
    maximumQoS: props.maximumQoS,
    retainAvailable: props.retainAvailable,
    topicAliasMaximum: props.topicAliasMaximum,
  }
}

/** Why `f` (encoded as `size` bytes) may not be sent, or undefined when it may. */
export function checkLimits(limits: ServerLimits, f: PublishFields, size: number): LimitExceeded | undefined {
  if (limits.maximumQoS !== undefined && f.qos > limits.maximumQoS) {
    return new LimitExceeded(24, `Message QoS not supported on broker, try a lower QoS (the broker allows QoS ${limits.maximumQoS}).`)
  }
  if (limits.retainAvailable === false && f.retain) return new LimitExceeded(10, 'Retained messages are not supported by the broker.')
  if (limits.maximumPacketSize !== undefined && size > limits.maximumPacketSize) {
    return new LimitExceeded(25, `Packet larger than supported by the server (${size} bytes; the broker accepts at most ${limits.maximumPacketSize}).`)
  }
  const alias = f.properties?.topicAlias as number | undefined
  if (alias !== undefined && alias > (limits.topicAliasMaximum ?? 0)) {
    return new LimitExceeded(3, `Topic alias ${alias} is above the broker's topic-alias-maximum (${limits.topicAliasMaximum ?? 0}).`)
  }
  return undefined
}
