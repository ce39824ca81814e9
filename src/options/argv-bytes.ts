// The command line as raw bytes. Node decodes argv as UTF-8 and turns invalid bytes into U+FFFD,
// but mosquitto sends -m/-t/-i bytes exactly as given, so on Linux we read /proc/self/cmdline.
import { readFileSync } from 'node:fs'

/**
 * The user's arguments (after the script path), each as a "byte string": a latin1 string whose
 * char codes are the raw bytes. Option names are ASCII, so matching them is unaffected.
 */
export function rawArgs(decoded: readonly string[] = process.argv.slice(2)): string[] {
  // Without a U+FFFD, Node's decoding lost nothing and re-encoding gives the bytes back.
  const lossy = decoded.some((word) => word.includes('\ufffd'))
  const raw = lossy ? cmdlineWords() : undefined
  // The kernel's copy also holds node's own flags; the user's words are the last ones.
  if (raw && raw.length >= decoded.length) {
    const tail = raw.slice(raw.length - decoded.length)
    if (tail.every((word, i) => word.toString('utf8') === decoded[i])) {
      return tail.map((word) => word.toString('latin1'))
    }
  }
  return decoded.map((word) => Buffer.from(word, 'utf8').toString('latin1'))
}

function cmdlineWords(): Buffer[] | undefined {
  if (process.platform !== 'linux') return undefined
  try {
    const data = readFileSync('/proc/self/cmdline')
    const words: Buffer[] = []
    let start = 0
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0) {
        words.push(data.subarray(start, i))
        start = i + 1
      }
    }
    if (start < data.length) words.push(data.subarray(start))
    return words
  } catch {
    return undefined
  }
}

/** A byte string (see rawArgs) back to its bytes. */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1')
}
