// tssub: subscribe and print every message, as mosquitto_sub does.
import { MqttClient } from '../core/client.js'
import { rawArgs } from '../options/argv-bytes.js'
import { parseCommandLine } from '../options/parse.js'
import { compileFormat } from '../output/format.js'
import { OutputSink } from '../output/sink.js'
import { checkIdentity, clientConfig } from './connect.js'
import { runTool, takeOptions, type ToolContext } from './run-tool.js'
import { stopText } from './stop-text.js'
import { Subscriber } from './sub-session.js'
import { paintDebug, writeErr } from '../output/colour.js'
import { stdout } from '../output/std-streams.js'

/** Entry point of bin/tssub: `args` are the user's words as Node decoded them. */
export function run(args: readonly string[]): Promise<void> {
  return runTool('tssub', (ctx) => main(ctx, args))
}

async function main(ctx: ToolContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('sub', rawArgs(args), process.env)
  if (parsed.kind !== 'run') {
    stdout().write(stopText(parsed, 'sub', ctx.name))
    // Deliberate difference: mosquitto exits 1 after --help and --version.
    return 0
  }
  const o = parsed.options
  takeOptions(ctx, o)
  if (o.noRetained && o.retainedOnly) {
    writeErr("\nError: Combining '-R' and '--retained-only' makes no sense.\n")
    return 1
  }
  checkIdentity(o)
  const output = { format: o.format && compileFormat(o.format), verbose: o.verbose, noEol: o.noEol, pretty: o.pretty }
  const sink = new OutputSink()
  const client = new MqttClient(clientConfig(o, o.debug ? (line) => sink.line(paintDebug(line)) : undefined))
  try {
    return await new Subscriber(client, o, sink, output, ctx).run()
  } finally {
    sink.flush()
  }
}
