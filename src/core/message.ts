// What a subscriber hands to the output layer for each PUBLISH it receives.

/** MQTT v5 properties of a received PUBLISH, in the shape mqtt-packet decodes them. */
export interface PublishProperties {
  payloadFormatIndicator?: boolean | number
  messageExpiryInterval?: number
  contentType?: string
  responseTopic?: string
  correlationData?: Buffer
  subscriptionIdentifier?: number | number[]
  topicAlias?: number
  userProperties?: Record<string, string | string[]>
}

/** One received application message. Topic and payload are kept as raw bytes. */
export interface ReceivedMessage {
  topic: Buffer
  payload: Buffer
  qos: 0 | 1 | 2
  retain: boolean
  /** Packet identifier; 0 for QoS 0. */
  mid: number
  /** Present only when the packet carried v5 properties; key order is wire order (mqtt-packet keeps it). */
  properties?: PublishProperties
  /**
   * The user properties in packet order, as raw bytes (properties.userProperties groups them by key
   * and puts integer-like keys first); set whenever the packet carried any. Output prefers it.
   */
  userPropertyList?: [Buffer, Buffer][]
}
