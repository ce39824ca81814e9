// tsrr's exchange with the broker, in mosquitto_rr's order: CONNECT; SUBSCRIBE to the response
// topic; once the SUBACK grants it, PUBLISH the request; print the first answer (rr-request.ts
// says which message that is); DISCONNECT. -W (or a SIGALRM) gives up with exit 27. Unlike
// mosquitto_rr, it sends DISCONNECT after the answer (so the broker does not publish the will),
// and a refused subscription or request, or a DISCONNECT from the broker, is not a success.
import type { Duplex } from 'node:stream'
import type { MqttClient } from '../core/client.js'
import { ConnectionLost } from '../core/client.js'
import { ExitCode } from '../core/errors.js'
import type { ReceivedMessage } from '../core/message.js'
import { reasonString } from '../core/reason-codes.js'
import type { Options } from '../options/types.js'
import { writeErr } from '../output/colour.js'
import { latencyText } from '../output/latency.js'
import { renderMessage, type OutputOptions } from '../output/render.js'
import type { OutputSink } from '../output/sink.js'
import { brokerMustReadDisconnect, connectFailure, lostError, openStream } from './connect.js'
import { armAlarm } from './long-timer.js'
import { publishRefusal } from './publish-refusal.js'
import { isAnswer, type Request } from './rr-request.js'
import { report, type ToolContext } from './run-tool.js'
import { subscriptionOptions } from './subscription-options.js'

// MQTT v5 DISCONNECT reason "Disconnect with Will Message": mosquitto_rr sends it when -W fires.
const DISCONNECT_WITH_WILL = 4

// How long a QoS 2 answer may wait for its PUBREL before it is printed without it.
const RELEASE_WAIT_MS = 1000

/** One tsrr run; `run()` resolves with the exit code. */
export class Requester {
  private stopping = false
  private resolveRun!: (code: number) => void
  /** When the request went out and its answer came (process.hrtime), for --latency. */
  private sentAt = 0n
  private answeredAt = 0n
  /** The message taken as the answer: acknowledged, to be printed (a QoS 2 one at its PUBREL). */
  private answer?: ReceivedMessage
  private releaseWait?: NodeJS.Timeout

  constructor(
    private readonly client: MqttClient,
    private readonly o: Options,
    private readonly sink: OutputSink,
    private readonly output: OutputOptions,
    private readonly ctx: ToolContext,
    private readonly request: Request,
  ) {}

  /** Connect, ask, and wait for the answer (or -W, or a failure). */
  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.resolveRun = resolve))
    // mosquitto: -W starts once the TCP connect has succeeded (before any WebSocket upgrade).
    let disarm = (): void => {}
    const stream = await openStream(this.o, () => {
      disarm = armAlarm(this.o.timeout, () => this.onTimeout())
    })
    this.client.accept = (msg) => this.accept(msg)
    this.client.on('message', (msg: ReceivedMessage) => {
      if (msg === this.answer) this.printAnswer()
    })
    // No reconnect: one connection carries the request and its answer, or the run fails.
    this.client.on('close', (err?: Error) => {
      if (err instanceof ConnectionLost) this.fail(lostError(err))
    })
    void this.connect(stream)
    const code = await done
    disarm()
    return code
  }

  private async connect(stream: Duplex): Promise<void> {
    try {
      // Subscribe as the CONNACK is read, as libmosquitto's on_connect does.
      await this.client.connect(stream, () => this.subscribe())
    } catch (err) {
      this.fail(connectFailure(this.o, err))
    }
  }

  private subscribe(): void {
    const o = this.o
    const v5 = o.protocolVersion === 5
    const topic = o.responseTopic!.toString('utf8')
    this.client.subscribe([topic], o.qos, subscriptionOptions(o), v5 ? o.propertyMap.subscribe : undefined, (_mid, granted) => {
      if (granted[0] < 128) return this.sendRequest()
      // mosquitto_rr prints the reason and exits 0; no request was sent, so that is no success.
      this.warn(`${reasonString(granted[0])}\n`)
      this.stop(granted[0])
    }).catch(() => undefined) // a loss now is reported by the 'close' handler
  }

  private sendRequest(): void {
    this.sentAt = process.hrtime.bigint()
    this.client.publish(this.request.message, (err) => {
      // mosquitto_rr waits for ever after a refused request; no answer will come, so stop now.
      if (err) this.fail(publishRefusal(err))
    })
  }

  /**
   * Whether to acknowledge a message, decided as it arrives: the answer, and what is skipped on
   * purpose (a stale retained message with -R, an answer to someone else's request) are; nothing
   * after the answer is, nor anything once stopping: it stays with the broker, for whoever asked.
   */
  private accept(msg: ReceivedMessage): boolean {
    if (this.stopping || this.answer) return false
    // mosquitto 2.0.18 and later: -R skips a stale (retained) message and waits for a live one.
    if (msg.retain && this.o.noRetained) return true
    if (!isAnswer(msg, this.request.correlation, this.o.correlation)) return true
    this.answer = msg
    this.answeredAt = process.hrtime.bigint()
    // Delivered at its PUBREL, as libmosquitto does; a broker that holds that back must not hang the run.
    if (msg.qos === 2) this.releaseWait = setTimeout(() => this.printAnswer(), RELEASE_WAIT_MS)
    return true
  }

  // The answer, with --latency's line, then DISCONNECT.
  private printAnswer(): void {
    if (this.stopping || !this.answer) return
    clearTimeout(this.releaseWait)
    // A QoS 2 answer still waiting for its PUBREL was acknowledged (PUBREC): it is ours now.
    this.client.releaseHeld()
    const { out, errors } = renderMessage(this.answer, this.output)
    this.sink.write(out)
    if (this.o.latency) this.sink.write(Buffer.from(latencyText(this.answeredAt - this.sentAt), 'utf8'))
    // Out now, before the acknowledgement queued for this message leaves on the next tick.
    this.sink.flush()
    for (const e of errors) this.warn(e)
    this.stop(0)
  }

  private onTimeout(): void {
    if (this.stopping) return
    // The answer came (it only waits for its PUBREL): that is no timeout.
    if (this.answer) return this.printAnswer()
    this.warn('Timed out\n')
    this.stop(ExitCode.TIMEOUT, DISCONNECT_WITH_WILL)
  }

  /** Leave with DISCONNECT (reason `reasonCode` in MQTT v5, with the -D disconnect properties). */
  private stop(code: number, reasonCode = 0): void {
    if (this.stopping) return
    this.stopping = true
    this.sink.flush()
    const v5 = this.o.protocolVersion === 5
    this.client.disconnect(v5 ? reasonCode : 0, v5 ? this.o.propertyMap.disconnect : undefined, !brokerMustReadDisconnect(this.o)).finally(() => this.resolveRun(code))
  }

  /** Report `err` and leave (with DISCONNECT when the connection is still there). */
  private fail(err: unknown): void {
    if (this.stopping) return
    // Lost after the answer was acknowledged, before its PUBREL: the answer is still the answer.
    if (this.answer) return this.printAnswer()
    this.sink.flush()
    this.stop(report(this.ctx, err))
  }

  private warn(text: string): void {
    if (!this.o.quiet) writeErr(text)
  }
}
