// C library number parsing (glibc atoi/atol/atof/strtol), which mosquitto applies to option values.

// isspace() in the C locale
function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r'
}

// Bytes map one-to-one onto chars, so indexes are byte offsets and non-ASCII is never a digit.
function toLatin1(s: Buffer | string): string {
  return typeof s === 'string' ? s : s.toString('latin1')
}

const LONG_MAX = (1n << 63n) - 1n
const LONG_MIN = -(1n << 63n)

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99
  const code = c.charCodeAt(0)
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 10
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 + 10
  return 99
}

// Result of strtol: the value (clamped to a 64-bit long) and the offset where parsing stopped,
// which is 0 when no digits were found (as C sets endptr back to the start).
export interface StrtolResult {
  value: bigint
  end: number
}

// glibc strtol on LP64: whitespace, sign, then digits in `base` (0 = C prefixes 0x / 0), saturating.
export function strtol(s: Buffer | string, base: number): StrtolResult {
  const str = toLatin1(s)
  let i = 0
  while (isCSpace(str[i])) i++
  let negative = false
  if (str[i] === '+' || str[i] === '-') {
    negative = str[i] === '-'
    i++
  }
  let b = base
  // a bare "0x" is the number 0 followed by garbage
  const hasHexPrefix = str[i] === '0' && (str[i + 1] === 'x' || str[i + 1] === 'X') && digitValue(str[i + 2]) < 16
  if ((b === 0 || b === 16) && hasHexPrefix) {
    i += 2
    b = 16
  } else if (b === 0) {
    b = str[i] === '0' ? 8 : 10
  }
  let value = 0n
  const bigBase = BigInt(b)
  const start = i
  while (digitValue(str[i]) < b) {
    // saturate early so absurdly long inputs stay cheap
    if (value <= LONG_MAX) value = value * bigBase + BigInt(digitValue(str[i]))
    i++
  }
  if (i === start) return { value: 0n, end: 0 }
  if (negative) value = -value
  if (value > LONG_MAX) value = LONG_MAX
  if (value < LONG_MIN) value = LONG_MIN
  return { value, end: i }
}

// C atol on LP64: base-10 strtol, 0 when there is no number; exact, hence a bigint.
export function atol(s: Buffer | string): bigint {
  return strtol(s, 10).value
}

// C atoi as glibc does it: (int)strtol, so "4294967297" is 1 and an overflowing value is -1.
export function atoi(s: Buffer | string): number {
  // mosquitto: no range check before the cast, so huge values wrap into small valid ones
  return Number(BigInt.asIntN(32, atol(s)))
}

// x * 2**e without the intermediate power over- or underflowing on its own.
function ldexp(x: number, e: number): number {
  let r = x
  let k = e
  while (k > 1000) {
    r *= 2 ** 1000
    k -= 1000
  }
  while (k < -1000) {
    r *= 2 ** -1000
    k += 1000
  }
  return r * 2 ** k
}

const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/
const HEX = /^0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/
const INF = /^inf(?:inity)?/i
const NAN = /^nan(?:\([0-9A-Za-z_]*\))?/i

// C atof (strtod in the C locale): decimal or hex floats, inf, nan; 0 when there is no number.
export function atof(s: Buffer | string): number {
  const str = toLatin1(s)
  let i = 0
  while (isCSpace(str[i])) i++
  let sign = 1
  if (str[i] === '+' || str[i] === '-') {
    if (str[i] === '-') sign = -1
    i++
  }
  const rest = str.slice(i)
  if (INF.test(rest)) return sign * Infinity
  if (NAN.test(rest)) return NaN
  const hex = HEX.exec(rest)
  if (hex) {
    const intPart = hex[1] ?? ''
    const fracPart = hex[2] ?? hex[3] ?? ''
    const exp = hex[4] === undefined ? 0 : Math.max(-1e6, Math.min(1e6, Number(hex[4])))
    let mantissa = BigInt('0x' + (intPart + fracPart || '0'))
    let scale = exp - 4 * fracPart.length
    // keep the mantissa within double range; a sticky low bit preserves correct rounding
    const excess = mantissa.toString(2).length - 1000
    if (excess > 0) {
      const dropped = mantissa & ((1n << BigInt(excess)) - 1n)
      mantissa = (mantissa >> BigInt(excess)) | (dropped === 0n ? 0n : 1n)
      scale += excess
    }
    return sign * ldexp(Number(mantissa), scale)
  }
  const dec = DECIMAL.exec(rest)
  if (dec) return sign * Number(dec[0])
  return 0
}

const INT_MIN = -2147483648

// A C cast of a double to int as x86-64 does it (cvttsd2si): toward zero, and INT_MIN for NaN and
// for anything outside the int range (undefined behaviour in C, but this is what mosquitto gets).
export function doubleToInt(x: number): number {
  if (Number.isNaN(x) || x <= INT_MIN - 1 || x >= 2147483648) return INT_MIN
  return Math.trunc(x) + 0 // an int has no -0
}
