// What mosquitto_sub prints for one received message: the plain payload, -v, -F and -N (contract §2.11).
// Pure: it returns bytes and error lines, the caller writes them.

import type { ReceivedMessage } from '../core/message.js'
import { ByteWriter, type OutPart } from './byte-writer.js'
import { renderFormat, type CompiledFormat } from './format.js'
import { systemClock, type Clock } from './time.js'

/** The output options of mosquitto_sub: -F (compiled), -v, -N and --pretty. */
export interface OutputOptions { format?: CompiledFormat; verbose: boolean; noEol: boolean; pretty: boolean }

/**
 * The bytes for stdout (possibly empty; plain and -v output come as parts, so the payload is never
 * copied just to add a newline: the writer gathers them; a long padding comes as a Repeat that the
 * sink expands in chunks) and whole stderr lines, each ending in "\n".
 */
export interface Rendered { out: Buffer | readonly OutPart[]; errors: string[] }

export { ByteWriter } from './byte-writer.js'

const EMPTY = Buffer.alloc(0)
const NEWLINE = Buffer.from('\n')
const SPACE = Buffer.from(' ')
const NULL_SUFFIX = Buffer.from(' (null)\n')

/** Render one message as mosquitto_sub prints it (2.1.2 where 2.0.11 differs). The clock is read only if the format needs it. */
export function renderMessage(msg: ReceivedMessage, opts: OutputOptions, clock: Clock = systemClock): Rendered {
  if (opts.format) {
    writer.reset() // in case an earlier call threw half-way
    const errors: string[] = []
    renderFormat(writer, opts.format, msg, opts.pretty, clock, errors)
    if (!opts.noEol) writer.byte(0x0a)
    return { out: writer.take(), errors }
  }
  const { topic, payload } = msg
  if (opts.verbose) {
    if (payload.length === 0) {
      // mosquitto: -v prints "topic (null)" for an empty payload, but -v -N prints nothing at all
      return { out: opts.noEol ? EMPTY : Buffer.concat([topic, NULL_SUFFIX]), errors: [] }
    }
    return { out: opts.noEol ? [topic, SPACE, payload] : [topic, SPACE, payload, NEWLINE], errors: [] }
  }
  // mosquitto: an empty payload prints nothing, not even the newline (the message still counts for -C)
  if (payload.length === 0) return { out: EMPTY, errors: [] }
  return { out: opts.noEol ? payload : [payload, NEWLINE], errors: [] }
}

// One writer for all messages: rendering is synchronous, and take() copies the bytes out.
const writer = new ByteWriter()
