// %p, %x and %X as mosquitto 2.1.2 prints them (its write_payload), including the hex groups of
// "%.4x" / "%.2:X" and its width rules, which 2.0.11 shares for %p:
// - a width W > 0 cuts the payload to W bytes, then pads to W characters (for hex the cut bytes
//   print as 2 characters each, so "%4x" of a 7-byte payload prints 8 characters, unpadded);
// - the - flag pads on the right by |W - printed| spaces, and without a width by as many spaces as
//   the payload has bytes ("[%-p]" of "message" is "[message       ]");
// - with a precision P, hex output gets the separator after every P characters, counting the
//   left padding, never after the last hex digit.
import type { ByteWriter } from './byte-writer.js'
import type { FormatPad } from './padding.js'

/** How the payload is printed: raw (%p), lower-case hex (%x) or upper-case hex (%X). */
export type PayloadStyle = 'raw' | 'hex' | 'HEX'

// Above this group size the padding is written group by group rather than as one repeated pattern.
const MAX_PATTERN = 64 * 1024

/** One payload field. */
export function writePayload(w: ByteWriter, payload: Buffer, pad: FormatPad, style: PayloadStyle): void {
  const hex = style !== 'raw'
  let n = payload.length
  let padlen: number
  if (pad.width > 0) {
    n = Math.min(n, pad.width)
    padlen = pad.width - (hex ? 2 * n : n)
  } else {
    padlen = pad.width - n
  }
  const group = hex && pad.precision > 0 ? pad.precision : 0
  // mosquitto: only the - flag puts the padding on the right (a negative width does not)
  const rightPad = pad.left ? 0 : Math.max(padlen, 0)
  if (rightPad > 0) leftPadding(w, pad.zero ? 0x30 : 0x20, rightPad, group, pad.sep)
  if (!hex) w.bytes(payload, 0, n)
  else if (group === 0) writeHex(w, payload, n, style === 'HEX')
  else writeHexGroups(w, payload, n, style === 'HEX', group, pad.sep, rightPad)
  // mosquitto: printf("%*s", padlen, "") — a negative padlen pads just the same, left-aligned
  if (pad.left) w.repeat(0x20, Math.abs(padlen))
}

// The padding before hex output also counts towards the groups: a separator follows every
// `group`-th character, the last padding character included.
function leftPadding(w: ByteWriter, fill: number, count: number, group: number, sep: number): void {
  if (group === 0 || group > count) return w.repeat(fill, count)
  const total = count + Math.floor(count / group)
  if (group < MAX_PATTERN) {
    const pattern = Buffer.alloc(group + 1, fill)
    pattern[group] = sep
    return w.repeatPattern(pattern, total)
  }
  for (let left = count; left > 0; left -= group) {
    w.repeat(fill, Math.min(left, group))
    if (left >= group) w.byte(sep)
  }
}

const HEX_CHUNK = 32 * 1024

function writeHex(w: ByteWriter, payload: Buffer, n: number, upper: boolean): void {
  // in slices: one string of a whole 256 MB payload in hex would pass V8's longest string
  for (let at = 0; at < n; at += HEX_CHUNK) {
    const s = payload.toString('hex', at, Math.min(n, at + HEX_CHUNK))
    w.latin1(upper ? s.toUpperCase() : s)
  }
}

const DIGITS = Buffer.from('0123456789abcdef0123456789ABCDEF', 'latin1')

function writeHexGroups(w: ByteWriter, payload: Buffer, n: number, upper: boolean, group: number, sep: number,
  startPos: number): void {
  if (n === 0) return
  const digits = upper ? 16 : 0
  const chars = 2 * n
  const { buffer, at } = w.reserve(chars + Math.floor((chars + (startPos % group)) / group))
  let o = at
  let phase = startPos % group // characters since the last separator
  for (let i = 0; i < n; i++) {
    const b = payload[i]
    buffer[o++] = DIGITS[digits + (b >> 4)]
    if (++phase === group) {
      buffer[o++] = sep
      phase = 0
    }
    buffer[o++] = DIGITS[digits + (b & 15)]
    if (++phase === group) {
      phase = 0
      if (i < n - 1) buffer[o++] = sep // never after the last digit
    }
  }
  w.advance(o - at)
}
