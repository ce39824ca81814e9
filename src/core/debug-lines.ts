// libmosquitto's debug log lines (contract §6.12), which mosquitto_pub/sub -d print on stdout.

/** The id shown in debug lines until one is known: mosquitto 2.1 prints "null" (2.0.11: "(null)"). */
export function logId(clientId: string): string {
  return clientId === '' ? 'null' : clientId
}

/** The id in the "received CONNACK" line, which mosquitto 2.1 still prints as "(null)" when unknown. */
export function connackLogId(id: string): string {
  return id === 'null' ? '(null)' : id
}

/** `Client <id> sending|received PUBLISH (d0, q1, r0, m1, 't', ... (5 bytes))` */
export function publishLine(id: string, dir: 'sending' | 'received', dup: boolean, qos: number, retain: boolean, mid: number, topic: string, len: number): string {
  return `Client ${id} ${dir} PUBLISH (d${dup ? 1 : 0}, q${qos}, r${retain ? 1 : 0}, m${mid}, '${topic}', ... (${len} bytes))`
}

/** `Client <id> received PUBACK (Mid: 1, RC:0)` and the PUBCOMP twin. */
export function ackReceivedLine(id: string, cmd: 'PUBACK' | 'PUBCOMP', mid: number, rc: number): string {
  return `Client ${id} received ${cmd} (Mid: ${mid}, RC:${rc})`
}

/** `Client <id> sending SUBSCRIBE (Mid: 1, Topic: t, QoS: 0, Options: 0x00)`, one per filter. */
export function subscribeLine(id: string, mid: number, topic: string, qos: number, options: number): string {
  return `Client ${id} sending SUBSCRIBE (Mid: ${mid}, Topic: ${topic}, QoS: ${qos}, Options: 0x${options.toString(16).padStart(2, '0')})`
}
