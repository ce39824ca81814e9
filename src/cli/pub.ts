// tspub: connect, publish (once, --repeat times, or one message per stdin line), disconnect.
// Exit 0 only when every message was written (QoS 0) or acknowledged by the broker (QoS 1/2).
import { sleepLong } from './long-timer.js'
import { ConnectionLost, MqttClient, PublishFailed, type OutgoingMessage } from '../core/client.js'
import { ExitCode, ToolError } from '../core/errors.js'
import { errorLine } from '../core/reason-codes.js'
import { LimitExceeded } from '../core/server-limits.js'
import { rawArgs } from '../options/argv-bytes.js'
import { helpText } from '../options/help.js'
import { parseCommandLine } from '../options/parse.js'
import type { Options } from '../options/types.js'
import { OutputSink } from '../output/sink.js'
import { checkIdentity, clientConfig, connectFailure, lostError, openStream } from './connect.js'
import { publishLines } from './pub-lines.js'
import { publishRefusal } from './publish-refusal.js'
import { loadPayload } from './pub-input.js'
import { runTool, takeOptions, type ToolContext } from './run-tool.js'
import { stopText } from './stop-text.js'
import { paintDebug, writeErr } from '../output/colour.js'
import { stdout } from '../output/std-streams.js'

/** Entry point of bin/tspub: `args` are the user's words as Node decoded them. */
export function run(args: readonly string[]): Promise<void> {
  return runTool('tspub', (ctx) => main(ctx, args))
}

async function main(ctx: ToolContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('pub', rawArgs(args), process.env)
  if (parsed.kind !== 'run') return printAndExit(stopText(parsed, 'pub', ctx.name))
  const o = parsed.options
  takeOptions(ctx, o)
  // --pw-prompt asks on the terminal, which may be stdin too: ask before -s or -l reads it (so
  // the message read is not the password typed), and so before -f reads a file that may be a FIFO.
  let payload = o.pwPrompt ? undefined : await loadPayload(o.source)
  if (o.topics.length === 0 || o.source === undefined) {
    // mosquitto: this one error prints the full usage on stdout.
    writeErr('Error: Both topic and message must be supplied.\n')
    stdout().write(helpText('pub', ctx.name))
    return 1
  }
  const topic = o.topics[o.topics.length - 1]
  const properties = o.propertyMap.publish
  checkIdentity(o)
  if (o.pwPrompt) payload = await loadPayload(o.source)

  const sink = new OutputSink()
  const client = new MqttClient(clientConfig(o, o.debug ? (line) => sink.line(paintDebug(line)) : undefined))
  try {
    await client.connect(await openStream(o))
  } catch (err) {
    sink.flush()
    throw connectFailure(o, err)
  }
  try {
    if (o.source.kind === 'stdin-line') return await publishLines(client, o, topic, ctx)
    return await publishRepeated(client, o, { topic, payload: payload!, qos: o.qos, retain: o.retain, properties }, ctx)
  } catch (err) {
    // A refused or failed publish: leave cleanly (DISCONNECT if still connected), then report.
    await client.disconnect(0, o.propertyMap.disconnect)
    throw err
  } finally {
    sink.flush()
  }
}

function printAndExit(text: string): number {
  stdout().write(text)
  // Deliberate difference: mosquitto exits 1 after --help and --version.
  return 0
}

// -m, -f, -s, -n: publish, wait for completion, --repeat-delay, again; then DISCONNECT.
async function publishRepeated(client: MqttClient, o: Options, msg: OutgoingMessage, ctx: ToolContext): Promise<number> {
  // mosquitto: a message the broker refuses (v5 reason code >= 128) is a warning and the repeats
  // go on; unlike mosquitto, the run then exits with the last refusal's code, not 0.
  let refused = 0
  for (let i = 0; i < o.repeat; i++) {
    if (i > 0 && o.repeatDelay > 0) await sleepLong(o.repeatDelay * 1000)
    const refusal = await publishAndWait(client, msg)
    if (refusal === undefined) continue
    if (!ctx.quiet) writeErr(refusal.text)
    refused = refusal.exitCode
  }
  await client.disconnect(0, o.propertyMap.disconnect, true)
  return refused
}

/** Publish one message and wait until it completes; resolves with the broker's refusal, if any. */
function publishAndWait(client: MqttClient, msg: OutgoingMessage): Promise<ToolError | undefined> {
  return new Promise((resolve, reject) => {
    const lost = (err?: ConnectionLost): ToolError => (err ? lostError(err) : new ToolError(ExitCode.CONN_LOST, errorLine(ExitCode.CONN_LOST)))
    // mosquitto_pub does not reconnect outside -l: a lost connection fails the run.
    if (!client.connected) return reject(lost(client.lastLoss))
    const onClose = (err?: Error): void => reject(lost(err as ConnectionLost | undefined))
    client.once('close', onClose)
    client.publish(msg, (err) => {
      client.off('close', onClose)
      if (!err) return resolve(undefined)
      // A refusal by the broker is reported and the repeats go on; anything else ends the run.
      if (err instanceof PublishFailed) resolve(publishRefusal(err))
      else reject(publishRefusal(err))
    })
  })
}
