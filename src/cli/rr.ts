// tsrr: one request, one answer, as mosquitto_rr does it (MQTT v5 request/response): subscribe to
// the response topic, publish the request naming it, print the answer, disconnect.
import { MqttClient } from '../core/client.js'
import { ExitCode, ToolError, UsageError } from '../core/errors.js'
import { rawArgs } from '../options/argv-bytes.js'
import { parseCommandLine } from '../options/parse.js'
import { paintDebug } from '../output/colour.js'
import { compileFormat } from '../output/format.js'
import { OutputSink } from '../output/sink.js'
import { stdout } from '../output/std-streams.js'
import { checkIdentity, clientConfig } from './connect.js'
import { loadPayload } from './pub-input.js'
import { buildRequest } from './rr-request.js'
import { Requester } from './rr-session.js'
import { runTool, takeOptions, type ToolContext } from './run-tool.js'
import { stopText } from './stop-text.js'

/** Entry point of bin/tsrr: `args` are the user's words as Node decoded them. */
export function run(args: readonly string[]): Promise<void> {
  return runTool('tsrr', (ctx) => main(ctx, args))
}

async function main(ctx: ToolContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('rr', rawArgs(args), process.env)
  if (parsed.kind !== 'run') {
    stdout().write(stopText(parsed, 'rr', ctx.name))
    // Deliberate difference: mosquitto exits 1 after --help and --version.
    return 0
  }
  const o = parsed.options
  takeOptions(ctx, o)
  // mosquitto 2.1 reads -f and -s first (2.0 never read them and sent an empty request); but
  // --pw-prompt asks first, on the terminal that may be stdin too (as tspub).
  let payload = o.pwPrompt ? undefined : await loadPayload(o.source)
  if (o.topics.length === 0 || o.source === undefined || o.responseTopic === undefined) {
    throw new UsageError('Error: All of topic, message, and response topic must be supplied.\n')
  }
  if (o.propertyMap.publish?.responseTopic !== undefined) {
    throw new ToolError(ExitCode.USAGE, 'Error in PUBLISH properties: Duplicate response topic.\n')
  }
  checkIdentity(o)
  if (o.pwPrompt) payload = await loadPayload(o.source)
  const topic = o.topics[o.topics.length - 1]
  // An empty -t or -e was refused while parsing, as mosquitto 2.1 does (2.0.11 connected first).

  const sink = new OutputSink()
  const client = new MqttClient(clientConfig(o, o.debug ? (line) => sink.line(paintDebug(line)) : undefined))
  const output = { format: o.format && compileFormat(o.format), verbose: o.verbose, noEol: o.noEol, pretty: o.pretty }
  try {
    return await new Requester(client, o, sink, output, ctx, buildRequest(o, topic, payload!)).run()
  } finally {
    sink.flush()
  }
}
