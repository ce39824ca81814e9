// -F: the format string is checked and compiled once, at option time, into tokens; each message is then
// rendered from the tokens. Behaviour follows mosquitto_sub 2.1.2 (and 2.0.11 where they agree):
// 2.1 added %f/%d, hex groups with a separator after the precision ("%.2:x"), and its own %x widths.

import { UsageError } from '../core/errors.js'
import type { ReceivedMessage } from '../core/message.js'
import { JSON_NULL, writeJson } from './json.js'
import { parseJson } from './json-parse.js'
import { messageJson, payloadNeedsBase64, stringPayload } from './json-message.js'
import type { ByteWriter } from './byte-writer.js'
import { writeFloat } from './c-float.js'
import { padBlank, padNumber, padText, type FormatPad } from './padding.js'
import { writePayload } from './payload-field.js'
import { isoLocalTime, jsonTimestamp, localTime, nanos9, strftime1, unixTimeNanos, type Clock,
  type LocalTime } from './time.js'

/** What a `%` specifier prints. */
export type FormatField =
  | 'topic' | 'payload' | 'hex' | 'HEX' | 'payloadLength' | 'mid' | 'qos' | 'retain'
  | 'topicAlias' | 'contentType' | 'correlationData' | 'messageExpiry' | 'payloadFormat' | 'userProperties'
  | 'responseTopic' | 'subscriptionId' | 'isoTime' | 'unixTime' | 'json' | 'jsonRaw' | 'float' | 'double'

export type { FormatPad } from './padding.js'

/** One compiled piece of a -F format. */
export type FormatToken =
  | { kind: 'literal'; bytes: Buffer }
  | { kind: 'field'; field: FormatField; pad: FormatPad }
  | { kind: 'strftime'; conv: number } // @X
  | { kind: 'nanos' } // @N

/** A checked -F format. */
export interface CompiledFormat { tokens: FormatToken[] }

const FIELDS: Record<string, FormatField> = {
  t: 'topic', p: 'payload', x: 'hex', X: 'HEX', l: 'payloadLength', m: 'mid', q: 'qos', r: 'retain',
  A: 'topicAlias', C: 'contentType', D: 'correlationData', E: 'messageExpiry', F: 'payloadFormat',
  P: 'userProperties', R: 'responseTopic', S: 'subscriptionId', I: 'isoTime', U: 'unixTime', j: 'json', J: 'jsonRaw',
  f: 'float', d: 'double',
}

// mosquitto 2.1: the characters that may follow the width and precision as the hex group separator
// (accepted, and ignored, before any specifier)
const SEPARATORS = new Set(Buffer.from('!"#$&\'()*+,-./:;<=>?@[\\]^_`{|}~ ', 'latin1'))
const SPACE = 0x20

const ESCAPES: Record<string, number> = { '\\': 0x5c, '0': 0, a: 7, e: 0x1b, n: 10, r: 13, t: 9, v: 11 }

const incomplete = (): UsageError => new UsageError('Error: Incomplete format specifier.\n')
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/** Check and compile a -F format (mosquitto's check_format); throws UsageError with mosquitto's text. */
export function compileFormat(format: Buffer): CompiledFormat {
  const tokens: FormatToken[] = []
  let text: number[] = []
  const flush = (): void => {
    if (text.length > 0) tokens.push({ kind: 'literal', bytes: Buffer.from(text) })
    text = []
  }
  const n = format.length
  for (let i = 0; i < n; i++) {
    const c = format[i]
    if (c === 0x25) { // %
      const pad: FormatPad = { left: false, zero: false, width: 0, precision: -1, sep: SPACE }
      if (format[i + 1] === 0x2d) { // one optional flag; "-0" is a flag followed by a width with a zero
        pad.left = true
        i++
      }
      pad.zero = format[i + 1] === 0x30
      // mosquitto: the width and precision wrap around like a C int ("%4294967297l" is width 1)
      while (isDigit(format[i + 1])) pad.width = (Math.imul(pad.width, 10) + format[++i] - 0x30) | 0
      if (format[i + 1] === 0x2e) {
        i++
        pad.precision = 0
        while (isDigit(format[i + 1])) pad.precision = (Math.imul(pad.precision, 10) + format[++i] - 0x30) | 0
      }
      if (SEPARATORS.has(format[i + 1])) pad.sep = format[++i]
      // Fixed: mosquitto 2.1.2 reports a format ending in a separator ("%.2:") as "Invalid format
      // specifier" with a NUL byte for the character; it is as incomplete as "%.2".
      if (++i >= n) throw incomplete()
      const ch = String.fromCharCode(format[i])
      if (ch === '%') {
        text.push(0x25) // mosquitto: flags and width on %% are accepted and ignored
        continue
      }
      const field = FIELDS[ch]
      if (field === undefined) throw new UsageError(`Error: Invalid format specifier '${ch}'.\n`)
      flush()
      tokens.push({ kind: 'field', field, pad })
    } else if (c === 0x40) { // @
      if (++i >= n) throw incomplete()
      if (format[i] === 0x40) text.push(0x40)
      else {
        flush()
        tokens.push(format[i] === 0x4e ? { kind: 'nanos' } : { kind: 'strftime', conv: format[i] })
      }
    } else if (c === 0x5c) { // backslash
      if (++i >= n) throw new UsageError('Error: Incomplete escape specifier.\n')
      const ch = String.fromCharCode(format[i])
      const e = ESCAPES[ch]
      if (e === undefined) throw new UsageError(`Error: Invalid escape specifier '${ch}'.\n`)
      text.push(e)
    } else {
      text.push(c)
    }
  }
  flush()
  return { tokens }
}

/** Render one message through a compiled format into `w` (without the final newline). */
export function renderFormat(w: ByteWriter, format: CompiledFormat, msg: ReceivedMessage, pretty: boolean,
  clock: Clock, errors: string[]): void {
  let at: LocalTime | undefined // mosquitto: the @ sequences share one clock reading per message
  for (const tok of format.tokens) {
    switch (tok.kind) {
      case 'literal': w.bytes(tok.bytes); break
      case 'strftime': w.latin1(strftime1(tok.conv, (at ??= localTime(clock.now())))); break
      case 'nanos': w.latin1(nanos9((at ??= localTime(clock.now())).nanos)); break
      case 'field': renderField(w, tok.field, tok.pad, msg, pretty, clock, errors); break
    }
  }
}

function renderField(w: ByteWriter, field: FormatField, pad: FormatPad, msg: ReceivedMessage, pretty: boolean,
  clock: Clock, errors: string[]): void {
  const props = msg.properties
  switch (field) {
    case 'topic': return padText(w, msg.topic, pad)
    case 'payload': return writePayload(w, msg.payload, pad, 'raw')
    case 'hex': return writePayload(w, msg.payload, pad, 'hex')
    case 'HEX': return writePayload(w, msg.payload, pad, 'HEX')
    case 'float': case 'double': {
      const complaint = writeFloat(w, msg.payload, field, pad)
      if (complaint !== undefined) errors.push(complaint)
      return
    }
    case 'payloadLength': return padNumber(w, msg.payload.length, pad)
    case 'mid': return padNumber(w, msg.qos === 0 ? 0 : msg.mid, pad)
    case 'qos': return w.byte(0x30 + msg.qos)
    case 'retain': return w.byte(msg.retain ? 0x31 : 0x30)
    case 'topicAlias': return padNumber(w, props?.topicAlias, pad)
    case 'messageExpiry': return padNumber(w, props?.messageExpiryInterval, pad)
    case 'payloadFormat': {
      const v = props?.payloadFormatIndicator
      return padNumber(w, typeof v === 'boolean' ? (v ? 1 : 0) : v, pad)
    }
    case 'subscriptionId': {
      const v = props?.subscriptionIdentifier
      return padNumber(w, Array.isArray(v) ? v[0] : v, pad)
    }
    case 'contentType':
      // mosquitto 2.1: a missing content-type prints `width` pad characters, as the numbers do (2.0: spaces)
      if (props?.contentType === undefined) return padBlank(w, pad)
      return padText(w, Buffer.from(props.contentType), pad)
    case 'responseTopic':
      // mosquitto: a missing response-topic prints nothing at all, whatever the width
      if (props?.responseTopic !== undefined) padText(w, Buffer.from(props.responseTopic), pad)
      return
    case 'correlationData':
      if (props?.correlationData) w.bytes(props.correlationData)
      return
    case 'userProperties': {
      let first = true
      // mosquitto prints them in packet order; the grouped object only when the order is unknown
      if (msg.userPropertyList) {
        for (const [k, v] of msg.userPropertyList) {
          if (!first) w.byte(0x20)
          first = false
          w.bytes(k)
          w.byte(0x3a)
          w.bytes(v)
        }
        return
      }
      for (const [k, v] of Object.entries(props?.userProperties ?? {})) {
        for (const one of Array.isArray(v) ? v : [v]) {
          if (!first) w.byte(0x20)
          first = false
          w.utf8(k + ':' + one)
        }
      }
      return
    }
    case 'isoTime': return padText(w, Buffer.from(isoLocalTime(clock.now()), 'latin1'), pad)
    case 'unixTime': return w.latin1(unixTimeNanos(clock.now()))
    case 'json':
      return writeJson(w, messageJson(msg, jsonTimestamp(clock.now()), stringPayload(msg.payload), payloadNeedsBase64(msg.payload)), pretty)
    case 'jsonRaw': {
      const tst = jsonTimestamp(clock.now())
      const payload = msg.payload.length === 0 ? JSON_NULL : parseJson(msg.payload)
      if (payload === undefined) {
        // mosquitto: the specifier prints nothing; the rest of the format and the newline still do
        errors.push(`Error: Message payload is not valid JSON on topic ${msg.topic.toString()}.\n`)
        return
      }
      return writeJson(w, messageJson(msg, tst, payload), pretty)
    }
  }
}
