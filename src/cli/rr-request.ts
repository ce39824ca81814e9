// tsrr's request and what counts as its answer. mosquitto_rr publishes the request with the
// response topic as its only added property and takes the first message on that topic, whoever
// sent it (a retained or someone else's answer on a shared topic passes for ours; mosquitto PR
// #2812 was never merged). tsrr adds correlation data and takes only an answer that carries it
// back, unless --correlation says otherwise.
import type { OutgoingMessage } from '../core/client.js'
import { appendProperties } from '../core/encode.js'
import type { ReceivedMessage } from '../core/message.js'
import type { CorrelationMode, Options } from '../options/types.js'

// MQTT v5 property identifiers [MQTT-2.2.2.2].
const RESPONSE_TOPIC = 0x08
const CORRELATION_DATA = 0x09

/** The request, and the correlation data an answer must carry (none: any message is the answer). */
export interface Request {
  message: OutgoingMessage
  correlation?: Buffer
}

/** The request for `o`: -t, -q and the payload, with (MQTT v5) the -D publish properties, then
 * correlation data when tsrr makes it up, then the response topic, last as in mosquitto_rr. */
export function buildRequest(o: Options, topic: Buffer, payload: Buffer): Request {
  const message: OutgoingMessage = { topic, payload, qos: o.qos, retain: false }
  // MQTT v3 has no properties: the responder has to know where to answer, and cannot echo anything.
  if (o.protocolVersion !== 5) return { message }
  const given = o.propertyMap.publish
  let correlation = given?.correlationData as Buffer | undefined
  const added: [string, number, unknown][] = []
  if (correlation === undefined && o.correlation !== 'off') {
    correlation = newCorrelationData()
    added.push(['correlationData', CORRELATION_DATA, correlation])
  }
  added.push(['responseTopic', RESPONSE_TOPIC, o.responseTopic!.toString('utf8')])
  message.properties = appendProperties(given, added)
  return { message, correlation: o.correlation === 'off' ? undefined : correlation }
}

/** Whether `msg`, arriving on the response topic, is the answer to a request that carried `correlation`. */
export function isAnswer(msg: ReceivedMessage, correlation: Buffer | undefined, mode: CorrelationMode): boolean {
  if (correlation === undefined) return true
  const got = msg.properties?.correlationData
  // lenient: a responder that does not echo correlation data still answers; a different one never does.
  if (got === undefined) return mode === 'lenient'
  return correlation.equals(got)
}

/**
 * Correlation data that no other request shares: this process, this moment, a random part. Printable
 * ASCII, so that a shell responder can echo it back as an argument (tssub -F %D, then
 * tspub -D publish correlation-data "$cd"), which bytes such as NUL would not survive.
 */
export function newCorrelationData(): Buffer {
  const random = Math.floor(Math.random() * 2 ** 52).toString(36)
  const text = `tsrr-${process.pid.toString(36)}-${process.hrtime.bigint().toString(36)}-${random}`
  return Buffer.from(text, 'latin1')
}
