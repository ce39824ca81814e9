// printf's width, flags and precision for the -F fields that mosquitto prints with printf ("%*d",
// "%-*.*s"…). Padding goes through ByteWriter.repeat, so a huge width costs no memory.
import type { ByteWriter } from './byte-writer.js'

/** Flag, width, precision and hex-group separator of a `%` specifier. precision is -1 when not given. */
export interface FormatPad { left: boolean; zero: boolean; width: number; precision: number; sep: number }

/**
 * printf's padding around `body`, which prints `len` bytes: a negative width (from a wrapped-around
 * number) means left-aligned; `zeroOk` when the 0 flag applies to this conversion.
 */
export function padding(w: ByteWriter, pad: FormatPad, len: number, zeroOk: boolean, body: () => void): void {
  const left = pad.left || pad.width < 0
  const fill = Math.abs(pad.width) - len
  if (fill <= 0) return body()
  if (left) {
    body()
    return w.repeat(0x20, fill)
  }
  w.repeat(zeroOk && pad.zero ? 0x30 : 0x20, fill)
  body()
}

/** "%*.*s": the precision cuts, the 0 flag is ignored. */
export function padText(w: ByteWriter, b: Buffer, pad: FormatPad): void {
  const end = pad.precision >= 0 && pad.precision < b.length ? pad.precision : b.length
  padding(w, pad, end, false, () => w.bytes(b, 0, end))
}

/** mosquitto's formatted_print_blank: `width` pad characters for a v5 property the message lacks. */
export function padBlank(w: ByteWriter, pad: FormatPad): void {
  // mosquitto: zeros whenever the width starts with 0, even with the - flag
  w.repeat(pad.zero ? 0x30 : 0x20, pad.width)
}

/** "%*d" for a number that may be missing (a v5 property not in the packet). */
export function padNumber(w: ByteWriter, v: number | undefined, pad: FormatPad): void {
  if (v === undefined) return padBlank(w, pad)
  const s = String(v)
  padding(w, pad, s.length, true, () => w.latin1(s))
}
