// The UTF-8 rules libmosquitto applies to topics, client ids, user names and string properties.

// mosquitto: the check counts bytes, so anything longer than this fails as "malformed UTF-8"
const MAX_UTF8_BYTES = 65536

// True when `bytes` passes mosquitto_validate_utf8 (contract §4.1): well-formed, shortest-form
// UTF-8 with no NUL, no C0/C1 controls, no surrogates, nothing above U+10FFFF, no non-characters.
export function validateUtf8(bytes: Buffer): boolean {
  const len = bytes.length
  if (len > MAX_UTF8_BYTES) return false
  let i = 0
  while (i < len) {
    const lead = bytes[i]!
    if (lead < 0x80) {
      // mosquitto: NUL and every control character are rejected, not only invalid sequences
      if (lead < 0x20 || lead === 0x7f) return false
      i++
      continue
    }
    let need: number
    let cp: number
    if ((lead & 0xe0) === 0xc0) {
      // C0 and C1 can only start overlong encodings of ASCII
      if (lead < 0xc2) return false
      need = 1
      cp = lead & 0x1f
    } else if ((lead & 0xf0) === 0xe0) {
      need = 2
      cp = lead & 0x0f
    } else if ((lead & 0xf8) === 0xf0) {
      // F5..F7 would start code points above U+10FFFF
      if (lead > 0xf4) return false
      need = 3
      cp = lead & 0x07
    } else {
      // a stray continuation byte, or F8..FF which UTF-8 never uses
      return false
    }
    if (i + need >= len) return false
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k]!
      if ((b & 0xc0) !== 0x80) return false
      cp = (cp << 6) | (b & 0x3f)
    }
    if (need === 2) {
      if (cp < 0x800) return false
      if (cp >= 0xd800 && cp <= 0xdfff) return false
    } else if (need === 3) {
      if (cp < 0x10000 || cp > 0x10ffff) return false
    }
    // C1 controls (U+0080..U+009F) are only reachable through the two-byte form
    if (cp <= 0x9f) return false
    if (cp >= 0xfdd0 && cp <= 0xfdef) return false
    if ((cp & 0xfffe) === 0xfffe) return false
    i += need + 1
  }
  return true
}
