// %f and %d (mosquitto 2.1): the payload read as a 4-byte float or an 8-byte double, in this
// machine's byte order as mosquitto's memcpy does, printed as glibc's printf("%*.*f") prints it:
// the exact decimal value of the binary number, rounded half to even, "inf"/"nan" with their sign.
import type { ByteWriter } from './byte-writer.js'
import { padding, type FormatPad } from './padding.js'

/** Which IEEE 754 size the payload must have. */
export type FloatKind = 'float' | 'double'

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Print the payload as a number; returns mosquitto's complaint when the payload has the wrong size
 * (it prints nothing for the field then).
 */
export function writeFloat(w: ByteWriter, payload: Buffer, kind: FloatKind, pad: FormatPad): string | undefined {
  const size = kind === 'float' ? 4 : 8
  // mosquitto: the text has no newline (the next one runs on); ours ends the line.
  if (payload.length !== size) return `requested ${kind} printing, but non-${kind} data received\n`
  const value = kind === 'float'
    ? (LITTLE_ENDIAN ? payload.readFloatLE(0) : payload.readFloatBE(0))
    : (LITTLE_ENDIAN ? payload.readDoubleLE(0) : payload.readDoubleBE(0))
  // the sign bit, also for a NaN (which glibc prints as "-nan")
  const negative = (payload[LITTLE_ENDIAN ? size - 1 : 0] & 0x80) !== 0
  // a negative precision (wrapped around) is as if none were given
  const precision = pad.precision < 0 ? 6 : pad.precision
  const sign = negative ? '-' : ''
  if (!Number.isFinite(value)) {
    const text = sign + (Number.isNaN(value) ? 'nan' : 'inf')
    return void padding(w, pad, text.length, false, () => w.latin1(text))
  }
  const d = fixedDigits(Math.abs(value), precision)
  const len = sign.length + d.int.length + (precision > 0 ? 1 + precision : 0)
  const body = (): void => {
    w.latin1(d.int)
    if (precision === 0) return
    w.byte(0x2e)
    w.latin1(d.frac)
    w.repeat(0x30, d.zeros)
  }
  const left = pad.left || pad.width < 0
  if (pad.zero && !left && pad.width > len) {
    // "%0*f": the zeros go between the sign and the digits
    w.latin1(sign)
    w.repeat(0x30, pad.width - len)
    return void body()
  }
  padding(w, pad, len, false, () => {
    w.latin1(sign)
    body()
  })
}

/** The digits of printf("%.<precision>f") for a finite value >= 0: `int`, then `frac` followed by `zeros` zeros. */
export interface FixedDigits { int: string; frac: string; zeros: number }

/** Exact decimal digits of `value` (>= 0, finite) to `precision` places, rounded half to even. */
export function fixedDigits(value: number, precision: number): FixedDigits {
  // value = mantissa * 2^exp, exactly
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const hi = view.getUint32(0)
  const biased = (hi >>> 20) & 0x7ff
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4))
  let exp = biased === 0 ? -1074 : biased - 1075
  if (biased !== 0) mantissa |= 1n << 52n
  if (mantissa === 0n) return { int: '0', frac: '', zeros: precision }
  while ((mantissa & 1n) === 0n && exp < 0) {
    mantissa >>= 1n
    exp++
  }
  if (exp >= 0) return { int: (mantissa << BigInt(exp)).toString(), frac: '', zeros: precision }
  // value = scaled / 10^places: every one of those decimal places is exact
  const places = -exp
  const scaled = mantissa * 5n ** BigInt(places)
  if (precision >= places) {
    const s = scaled.toString().padStart(places + 1, '0')
    return { int: s.slice(0, -places), frac: s.slice(-places), zeros: precision - places }
  }
  const unit = 10n ** BigInt(places - precision)
  let kept = scaled / unit
  const rest = scaled % unit
  const half = unit / 2n
  if (rest > half || (rest === half && (kept & 1n) === 1n)) kept++
  const s = kept.toString().padStart(precision + 1, '0')
  return precision === 0 ? { int: s, frac: '', zeros: 0 } : { int: s.slice(0, -precision), frac: s.slice(-precision), zeros: 0 }
}
