// The line editing of a hidden prompt, fed one byte at a time from a terminal in raw mode: the keys
// a terminal's own line discipline gives getpass(), sudo and ssh (stty's erase, kill, werase,
// lnext, intr, eof, susp at their usual defaults), nothing echoed.

/** What a key asks the prompt to do. */
export type KeyOutcome = 'more' | 'enter' | 'interrupt' | 'eof' | 'suspend'

const CTRL_C = 0x03
const CTRL_D = 0x04
const BACKSPACE = 0x08
const CTRL_U = 0x15
const CTRL_V = 0x16
const CTRL_W = 0x17
const CTRL_Z = 0x1a
const DELETE = 0x7f

/** The bytes typed so far at a hidden prompt. */
export class HiddenLine {
  private bytes: number[] = []
  private literalNext = false

  /** Take one byte typed at the terminal. */
  feed(byte: number): KeyOutcome {
    if (this.literalNext) {
      this.literalNext = false
      this.bytes.push(byte)
      return 'more'
    }
    switch (byte) {
      case 0x0d: // raw mode leaves Enter as CR
      case 0x0a:
        return 'enter'
      case CTRL_C:
        return 'interrupt'
      case CTRL_D:
        // As a terminal's EOF: it ends the input only on an empty line (sudo: "no password was
        // provided"); after some text it would only push that text, which ends nothing here.
        return this.bytes.length === 0 ? 'eof' : 'more'
      case CTRL_Z:
        return 'suspend'
      case DELETE:
      case BACKSPACE:
        this.eraseCharacter()
        return 'more'
      case CTRL_U:
        this.bytes = []
        return 'more'
      case CTRL_W:
        this.eraseWord()
        return 'more'
      case CTRL_V:
        this.literalNext = true
        return 'more'
      default:
        this.bytes.push(byte)
        return 'more'
    }
  }

  /** The line as typed (without its Enter). */
  value(): Buffer {
    return Buffer.from(this.bytes)
  }

  /** Forget what was typed (a new prompt after Ctrl-Z). */
  clear(): void {
    this.bytes = []
    this.literalNext = false
  }

  // One character, not one byte: a UTF-8 character's continuation bytes go with it (as with
  // the kernel's IUTF8).
  private eraseCharacter(): void {
    while (this.bytes.length > 0 && (this.bytes[this.bytes.length - 1] & 0xc0) === 0x80) this.bytes.pop()
    this.bytes.pop()
  }

  // Blanks before the cursor, then the word before them (stty werase).
  private eraseWord(): void {
    const blank = (b: number | undefined): boolean => b === 0x20 || b === 0x09
    while (this.bytes.length > 0 && blank(this.bytes[this.bytes.length - 1])) this.bytes.pop()
    while (this.bytes.length > 0 && !blank(this.bytes[this.bytes.length - 1])) this.bytes.pop()
  }
}

/**
 * Keys that were already waiting after a prompt's Enter (a paste, say), as the terminal would have
 * given them in canonical mode: one line per Enter, the editing keys applied; the last line may be
 * unfinished. Ctrl-D and Ctrl-Z there are dropped (nothing can hand them back to the terminal);
 * Ctrl-C is reported, to abort as it would have.
 */
export function cookTypedAhead(raw: Buffer): Buffer | 'interrupt' {
  const out: Buffer[] = []
  const line = new HiddenLine()
  for (const byte of raw) {
    const outcome = line.feed(byte)
    if (outcome === 'interrupt') return 'interrupt'
    if (outcome === 'enter') {
      out.push(line.value(), NEWLINE)
      line.clear()
    }
  }
  out.push(line.value())
  return Buffer.concat(out)
}

const NEWLINE = Buffer.from('\n')
