// tssub's run: connect, subscribe, print what arrives, reconnect after a loss (every second, as
// mosquitto does), and stop on -C, -E, --retained-only, -W, a signal or a closed stdout.
import { setTimeout as sleep } from 'node:timers/promises'
import { ConnackRefused, ConnectionLost, type MqttClient } from '../core/client.js'
import { ExitCode, ToolError } from '../core/errors.js'
import type { ReceivedMessage } from '../core/message.js'
import { topicMatches } from '../core/topic.js'
import type { Options } from '../options/types.js'
import { renderMessage, type OutputOptions } from '../output/render.js'
import type { OutputSink } from '../output/sink.js'
import { WatchLayout } from '../output/watch.js'
import { MessageRate } from './message-rate.js'
import { brokerMustReadDisconnect, connectFailure, lossIsFinal, lostError, openStream } from './connect.js'
import { armAlarm } from './long-timer.js'
import { subscriptionOptions } from './subscription-options.js'
import { report, type ToolContext } from './run-tool.js'
import { paintDebug, writeErr } from '../output/colour.js'

const FATAL_CODES = new Set<number>([ExitCode.TLS, ExitCode.AUTH, ExitCode.PROXY, ExitCode.UNKNOWN])

// A connection that opened and then ended before the client had it (a WebSocket upgrade the server
// closed or never answered): mosquitto_sub tries again, as after any loss before CONNACK.
function lostWhileOpening(err: unknown): boolean {
  return err instanceof ConnectionLost || (err instanceof ToolError && err.exitCode === ExitCode.CONN_LOST)
}

// How long -C's last QoS 2 message may wait for its PUBREL before the run ends without it.
const RELEASE_WAIT_MS = 1000

// MQTT v5 DISCONNECT reason "Disconnect with Will Message": mosquitto sends it on a signal or -W.
const DISCONNECT_WITH_WILL = 4

/** One tssub run; `run()` resolves with the exit code. */
export class Subscriber {
  private everConnected = false
  private stopping = false
  private count = 0
  /** Messages taken towards -C: printed, or acknowledged and waiting for their PUBREL. */
  private taken = 0
  private releaseWait?: NodeJS.Timeout
  private pendingRemovals = 0
  private resolveRun!: (code: number) => void
  private readonly filterOut: string[]
  // mosquitto: --message-rate replaces message processing and turns -w off.
  private readonly rate?: MessageRate
  private readonly watch?: WatchLayout

  constructor(
    private readonly client: MqttClient,
    private readonly o: Options,
    private readonly sink: OutputSink,
    private readonly output: OutputOptions,
    private readonly ctx: ToolContext,
  ) {
    this.filterOut = o.filterOut.map((f) => f.toString('utf8'))
    if (o.messageRate) this.rate = new MessageRate((line) => sink.write(line))
    else if (o.watch) this.watch = new WatchLayout()
  }

  /** Connect and process messages until something stops the run. */
  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.resolveRun = resolve))
    if (this.watch) this.sink.write(this.watch.header(Buffer.from(this.o.host, 'latin1').toString('utf8')))
    // mosquitto: -W starts once the first TCP connect has succeeded (before any WebSocket upgrade).
    let disarm = (): void => {}
    const startTimeout = (): void => {
      disarm = armAlarm(this.o.timeout, () => this.onTimeout())
      // mosquitto: --message-rate's lines start then too, before the CONNACK. After -W's timer:
      // at a whole second, -W's last line comes instead of the ordinary one, as in mosquitto.
      this.rate?.start()
    }
    // undefined: the connection opened and was lost before CONNACK (a WebSocket upgrade left unanswered)
    const stream = await openStream(this.o, startTimeout).catch((err: unknown) => {
      if (lostWhileOpening(err)) return undefined
      throw err
    })
    const onSignal = (): void => this.onSignal()
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    this.sink.onClosed = () => this.stop(0)
    this.sink.onBackpressure = (congested) => (congested ? this.client.pauseIncoming() : this.client.resumeIncoming())
    this.client.accept = (msg) => this.accept(msg)
    this.client.on('message', (msg: ReceivedMessage) => {
      if (!this.stopping) this.onMessage(msg)
    })
    this.client.on('close', (err?: Error) => {
      if (!err || this.stopping) return
      // mosquitto: a protocol error from the broker is fatal. So is a DISCONNECT saying the
      // request itself is wrong: trying again would only be refused again, forever and silently
      // (mosquitto_sub 2.0.11 exits 0 there, 2.1 retries). Any other loss is retried.
      if (lossIsFinal(err)) return this.finishWithError(lostError(err))
      this.reconnectLoop()
    })
    try {
      // `done` may settle first: a protocol error right after CONNACK ends the run from 'close'.
      await Promise.race([stream ? this.session(stream) : this.reconnectLoop(), done])
    } catch (err) {
      // A signal or -W that fired while connecting has already decided the exit code.
      // A loss before CONNACK is retried, as mosquitto does (the 'close' handler runs the loop).
      if (!this.stopping && !(err instanceof ConnectionLost && err.reason !== 'protocol')) {
        this.rate?.stop(false)
        throw connectFailure(this.o, err)
      }
    }
    const code = await done
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    disarm()
    return code
  }

  // CONNECT, then SUBSCRIBE (all filters in one packet) and any UNSUBSCRIBEs, on every connection.
  private async session(stream: import('node:stream').Duplex): Promise<void> {
    let subscribed: Promise<unknown> | undefined
    // Subscribe as the CONNACK is read, before the session's queued messages after it: -C may
    // stop the run among them, and the SUBSCRIBE and UNSUBSCRIBEs must be out by then (mosquitto).
    await this.client.connect(stream, () => {
      this.everConnected = true
      subscribed = this.subscribeAll()
      subscribed.catch(() => undefined) // a loss now is the connect's to report
    })
    await subscribed
  }

  // One SUBSCRIBE for every filter, then the UNSUBSCRIBEs; resolves on SUBACK.
  private subscribeAll(): Promise<unknown> {
    const o = this.o
    const v5 = o.protocolVersion === 5
    const props = v5 ? o.propertyMap : {}
    const suback = o.topics.length === 0 ? undefined : this.client.subscribe(o.topics.map((t) => t.toString('utf8')), o.qos,
      subscriptionOptions(o), props.subscribe, (mid, granted) => {
        if (o.debug && !o.quiet) this.sink.line(paintDebug(`Subscribed (mid: ${mid}): ${granted.join(', ')}`))
        if (granted.every((g) => g >= 128)) {
          this.warn('All subscription requests were denied.\n')
          // mosquitto leaves here with exit 0; a refusal is not a success: exit with the broker's code.
          return this.stop(granted[0])
        }
        if (o.exitAfterSubscribe) this.stop(0)
      })
    const unsubacks = o.unsubscribe.map((u) => this.client.unsubscribe(u.toString('utf8'), props.unsubscribe))
    for (const u of unsubacks) u.catch(() => undefined)
    if (suback) return suback
    // mosquitto 2.1: -U alone only unsubscribes (a persistent session may still deliver its other
    // subscriptions). With -E it never exits then, having no SUBACK to wait for; we exit once
    // every UNSUBACK is in.
    const unsubscribed = Promise.all(unsubacks)
    if (o.exitAfterSubscribe) unsubscribed.then(() => this.stop(0), () => undefined)
    return unsubscribed
  }

  // After a loss: try again every second, forever (mosquitto's loop_forever), until stopped.
  private async reconnectLoop(): Promise<void> {
    while (!this.stopping) {
      await sleep(1000)
      if (this.stopping) return
      let opened = false
      try {
        const stream = await openStream(this.o)
        opened = true
        await this.session(stream)
        return
      } catch (err) {
        // mosquitto: a refused CONNACK, and TLS, proxy, authentication or WebSocket upgrade failures, are fatal.
        if (err instanceof ConnackRefused || (err instanceof ToolError && FATAL_CODES.has(err.exitCode))) {
          this.finishWithError(connectFailure(this.o, err))
          return
        }
        // Once the client has the stream, its 'close' handler starts the next round.
        if (opened && err instanceof ConnectionLost) return
      }
    }
  }

  /**
   * Whether to take a message, decided as it arrives and before it is acknowledged: nothing past
   * -C's count, nothing once stopping, and not the message that ends --retained-only. What is not
   * taken stays unacknowledged, so a persistent session (-c) gets it on its next run: mosquitto
   * acknowledges such messages and they are lost.
   */
  private accept(msg: ReceivedMessage): boolean {
    const o = this.o
    if (this.stopping) return false
    // mosquitto: --message-rate counts every message and processes none (no -C, no filters).
    if (this.rate) return true
    if (o.retainedOnly && !msg.retain) {
      this.stop(0)
      return false
    }
    if (this.skips(msg)) return true
    if (o.count === undefined) return true
    if (this.taken >= o.count) return false
    // The last message -C allows: when it is a QoS 2 one, its PUBREL is all the run waits for. A
    // broker that holds PUBRELs back while later messages go unacknowledged (aedes 1.2 does) must
    // not hang the run: past RELEASE_WAIT_MS, stop() prints what was acknowledged and leaves.
    if (++this.taken === o.count && msg.qos === 2) {
      this.releaseWait = setTimeout(() => this.stop(0), RELEASE_WAIT_MS)
    }
    return true
  }

  // Messages filtered out by -R and -T: acknowledged, never printed nor counted.
  private skips(msg: ReceivedMessage): boolean {
    if (msg.retain && this.o.noRetained) return true
    if (this.filterOut.length === 0) return false
    const topic = msg.topic.toString('utf8')
    return this.filterOut.some((f) => topicMatches(f, topic))
  }

  // mosquitto's on_message steps (contract §6.6), in order; --retained-only's end is in accept().
  private onMessage(msg: ReceivedMessage): void {
    const o = this.o
    if (this.rate) return this.rate.add()
    if (this.skips(msg)) return
    if (o.removeRetained && msg.retain) this.removeRetained(msg.topic)
    // Fixed: mosquitto's --random-filter acts per mille; the value is a percentage (stored x10).
    // mosquitto: -w moves to the topic's line even for a message --random-filter then drops.
    if (this.watch) this.sink.write(this.watch.before(msg.topic))
    if (o.randomFilter === undefined || Math.random() * 1000 < o.randomFilter) this.print(msg)
    if (this.watch) this.sink.write(this.watch.after())
    if (o.count !== undefined && ++this.count >= o.count && !this.stopping) this.stop(0)
  }

  private print(msg: ReceivedMessage): void {
    const { out, errors } = renderMessage(msg, this.output)
    this.sink.write(out)
    for (const e of errors) this.warn(e)
  }

  // A zero-length retained publish clears the topic; the run waits for its PUBACK before leaving.
  private removeRetained(topic: Buffer): void {
    this.pendingRemovals++
    this.client.publish({ topic, payload: Buffer.alloc(0), qos: 1, retain: true }, () => {
      this.pendingRemovals--
      if (this.stopping && this.pendingRemovals === 0) this.disconnectAndResolve(this.stopCode, 0)
    })
  }

  private stopCode = 0

  /** Stop processing, disconnect cleanly, and exit with `code`. */
  stop(code: number, reasonCode = 0): void {
    if (this.stopping) return
    this.stopping = true
    this.stopCode = code
    this.rate?.stop(true)
    clearTimeout(this.releaseWait)
    // QoS 2 messages already acknowledged (PUBREC) but not yet released by the broker: printed
    // now, or they would be lost (the broker considers them delivered).
    for (const msg of this.client.releaseHeld()) this.onMessage(msg)
    // mosquitto hangs here when removals are pending (contract §6.8); we wait for their PUBACKs.
    if (this.pendingRemovals === 0 || !this.client.connected) this.disconnectAndResolve(code, reasonCode)
  }

  private disconnectAndResolve(code: number, reasonCode: number): void {
    this.sink.flush()
    const v5 = this.o.protocolVersion === 5
    this.client.disconnect(v5 ? reasonCode : 0, v5 ? this.o.propertyMap.disconnect : undefined, !brokerMustReadDisconnect(this.o)).finally(() => this.resolveRun(code))
  }

  private onSignal(): void {
    // mosquitto: before any CONNACK a signal exits 255 at once, silently.
    if (!this.everConnected) return this.abort(255)
    this.stop(0, DISCONNECT_WITH_WILL)
  }

  private onTimeout(): void {
    if (!this.everConnected) return this.abort(255)
    this.warn('Timed out\n')
    this.stop(ExitCode.TIMEOUT, DISCONNECT_WITH_WILL)
  }

  private abort(code: number): void {
    this.stopping = true
    this.rate?.stop(false)
    this.client.destroy()
    this.resolveRun(code)
  }

  private finishWithError(err: unknown): void {
    this.stopping = true
    this.rate?.stop(false)
    this.sink.flush()
    this.resolveRun(report(this.ctx, err))
  }

  private warn(text: string): void {
    if (!this.o.quiet) writeErr(text)
  }
}

