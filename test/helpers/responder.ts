// A real MQTT v5 responder for request/response tests (tsrr against mosquitto_rr): a client of the
// test's broker that answers every request published under its prefix, the way a service does.
// What it does depends on the last level of the request topic:
//   req          answer "re: <payload>" at the request's QoS, with its correlation data echoed
//   req-nocd     the same answer without correlation data (a responder that does not echo it)
//   req-twice    first a foreign answer (other correlation data), then the real one
//   req-props    the answer with a content type and two user properties
//   req-empty    an empty answer
//   req-silent   no answer at all
// A request without a response topic (MQTT v3) is answered on "<request topic>/reply".
import net from 'node:net'
import { MqttClient } from '../../src/core/client.js'
import type { ReceivedMessage } from '../../src/core/message.js'

// The responder is a client of the broker like any other; No-Local keeps its own answers (also
// under its prefix) from coming back to it as requests [MQTT-3.8.3-3].
const NO_LOCAL = 0x04

/** A running responder; stop() disconnects it. */
export interface Responder {
  /** How many requests it has answered (or ignored, for req-silent). */
  readonly requests: number
  stop(): Promise<void>
}

/** Connect to the broker on 127.0.0.1:`port` and answer the requests published under `prefix`/#. */
export async function startResponder(port: number, prefix: string, auth: { username?: string; password?: string } = {}): Promise<Responder> {
  const client = new MqttClient({
    protocolVersion: 5, clientId: `responder-${process.pid}-${prefix.replace(/\W/g, '')}`, keepalive: 60, clean: true, maxInflight: 20,
    username: auth.username, password: auth.password === undefined ? undefined : Buffer.from(auth.password),
  })
  const socket = net.connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  await client.connect(socket)
  let requests = 0
  client.on('message', (msg: ReceivedMessage) => {
    const kind = /\/(req(?:-[a-z]+)?)$/.exec(msg.topic.toString('utf8'))?.[1]
    if (kind === undefined) return
    requests++
    for (const answer of answers(msg, kind)) client.publish(answer)
  })
  const { granted } = await client.subscribe([`${prefix}/#`], 2, NO_LOCAL)
  if (granted[0] !== 2) throw new Error(`the responder's subscription was granted ${granted[0]}`)
  return {
    get requests() { return requests },
    stop: () => client.disconnect(),
  }
}

type Answer = Parameters<MqttClient['publish']>[0]

function answers(req: ReceivedMessage, kind: string): Answer[] {
  const topic = Buffer.from(req.properties?.responseTopic ?? `${req.topic.toString('utf8')}/reply`, 'utf8')
  // Echoed as it came (none when the request had none), unless the kind says otherwise.
  const answer = (payload: Buffer, extra: Record<string, unknown> = {}, correlationData: Buffer | null = req.properties?.correlationData ?? null): Answer => ({
    topic, payload, qos: req.qos, retain: false, properties: { ...(correlationData ? { correlationData } : {}), ...extra },
  })
  const reply = Buffer.concat([Buffer.from('re: '), req.payload])
  switch (kind) {
    case 'req-silent': return []
    case 'req-empty': return [answer(Buffer.alloc(0))]
    case 'req-nocd': return [answer(reply, {}, null)]
    case 'req-twice': return [answer(Buffer.from('not yours'), {}, Buffer.from('someone else')), answer(reply)]
    case 'req-props': return [answer(reply, { contentType: 'text/plain', userProperties: { a: '1', b: '2' } })]
    default: return [answer(reply)]
  }
}
