// tspub -l: one message per stdin line, paced by the in-flight window and the socket. When the
// connection drops, reconnect with backoff and resend what was not acknowledged; give up only
// after a bounded outage, and then say how many messages were not confirmed.
import { setTimeout as sleep } from 'node:timers/promises'
import { ConnackRefused, type MqttClient } from '../core/client.js'
import { ExitCode, ToolError } from '../core/errors.js'
import type { Options } from '../options/types.js'
import { connectFailure, lossIsFinal, lostError, openStream } from './connect.js'
import { readLines } from './pub-input.js'
import type { ToolContext } from './run-tool.js'
import { writeErr } from '../output/colour.js'

/** How long tspub -l keeps trying to get a lost connection back before it gives up. */
export const MAX_OUTAGE_MS = 60_000
/** Connections in a row that end before any message settles, before giving up. */
const MAX_LOSSES_WITHOUT_PROGRESS = 5

/** Publish every line of stdin; resolves with the exit code. */
export function publishLines(client: MqttClient, o: Options, topic: Buffer, ctx: ToolContext): Promise<number> {
  return new Promise((resolve, reject) => {
    let eof = false
    let failed = 0
    let failedCode: number = ExitCode.PROTOCOL
    let finished = false
    const finish = (code: number | Error): void => {
      if (finished) return
      finished = true
      if (code instanceof Error) return reject(code)
      client.disconnect(0, o.propertyMap.disconnect, true).then(() => resolve(code), reject)
    }
    const settle = (): void => {
      if (eof && client.connected && client.window.pending() === 0) finish(failed > 0 ? failedExit(failed, failedCode) : 0)
    }
    // Messages settled (acknowledged, refused, or sent at QoS 0), to tell a broker that keeps
    // dropping the connection before it accepts anything from one that restarts once.
    let settled = 0
    let settledAtLastLoss = -1
    let lossesWithoutProgress = 0
    const onDone = (err?: Error): void => {
      settled++
      if (err) {
        failed++
        // The broker's reason code (or libmosquitto's code for a local refusal) is the exit status.
        const code = (err as { code?: unknown }).code
        if (typeof code === 'number') failedCode = code
        if (!ctx.quiet) writeErr(`Warning: ${err.message}\n`)
      }
      settle()
    }
    const reader = readLines(
      process.stdin,
      (line) => client.publish({ topic, payload: line, qos: o.qos, retain: o.retain, properties: o.propertyMap.publish }, onDone),
      (err) => {
        if (err) return finish(err)
        eof = true
        settle()
      },
    )
    client.on('drain', () => reader.resume())
    let reconnecting = false
    client.on('close', (err?: Error) => {
      if (!err || finished || reconnecting) return
      if (lossIsFinal(err)) return finish(lostError(err))
      // Only a loss with messages waiting counts (an idle `tail -f | tspub -l` may see many restarts).
      const pending = client.window.pending()
      lossesWithoutProgress = pending === 0 ? 0 : settled === settledAtLastLoss ? lossesWithoutProgress + 1 : 1
      settledAtLastLoss = settled
      // mosquitto_pub loops forever here (a line over the broker's max_packet_size, more messages
      // in flight than it allows): resending the same messages cannot succeed, so say so and stop.
      if (lossesWithoutProgress >= MAX_LOSSES_WITHOUT_PROGRESS) {
        return finish(new ToolError(ExitCode.CONN_LOST, `Error: The broker closed the connection ${MAX_LOSSES_WITHOUT_PROGRESS} times in a row before ` +
          'acknowledging anything: a message may break one of its limits (max_packet_size, message_size_limit, max_inflight_messages); ' +
          `${pending} message${pending === 1 ? ' was' : 's were'} not confirmed by the broker.\n`))
      }
      reconnecting = true
      reconnect(client, o, () => eof).then(
        () => {
          reconnecting = false
          settle()
        },
        (e) => finish(e),
      )
    })
  })
}

// Some messages were refused: say how many; the exit status is the last refusal's code.
function failedExit(count: number, code: number): number {
  writeErr(`Error: ${count} message${count === 1 ? ' was' : 's were'} refused by the broker.\n`)
  return code
}

/**
 * Reconnect with backoff (0.5 s doubling to 8 s) for MAX_OUTAGE_MS, the last try at the deadline.
 * Giving up, say what was not delivered: the messages sent or queued, and any unread stdin.
 */
async function reconnect(client: MqttClient, o: Options, stdinDone: () => boolean): Promise<void> {
  const deadline = Date.now() + MAX_OUTAGE_MS
  let delay = 500
  for (;;) {
    await sleep(Math.max(0, Math.min(delay, deadline - Date.now())))
    try {
      await client.connect(await openStream(o))
      return
    } catch (err) {
      if (err instanceof ConnackRefused) throw connectFailure(o, err)
      if (Date.now() >= deadline) {
        const lost = client.window.pending()
        const unread = stdinDone() ? '' : ', and the rest of stdin was not read'
        throw new ToolError(ExitCode.CONN_LOST, `Error: The connection was lost and could not be re-established within ${MAX_OUTAGE_MS / 1000} s; ` +
          `${lost} message${lost === 1 ? ' was' : 's were'} not confirmed by the broker${unread}.\n`)
      }
      delay = Math.min(delay * 2, 8000)
    }
  }
}
