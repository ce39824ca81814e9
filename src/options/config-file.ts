// The per-user options file (contract §5): where it lives and how its lines become option words.

import { readFileSync } from 'node:fs'

// mosquitto: lines are read with fgets into a 1024-byte buffer, so at most 1023 bytes at a time
const LINE_CHUNK = 1023
const NL = 0x0a
const CR = 0x0d
const SPACE = 0x20
const HASH = 0x23

// Where `tool` ('tspub' or 'tssub') looks for its options file; undefined when there is nowhere.
export function configFilePath(tool: string, env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env['XDG_CONFIG_HOME']
  // mosquitto: a set XDG_CONFIG_HOME wins even when empty or when the file is missing, and the
  // path is plain concatenation ('/x/' gives '/x//tool')
  if (xdg !== undefined) return `${xdg}/${tool}`
  const home = env['HOME']
  if (home !== undefined) return `${home}/.config/${tool}`
  return undefined
}

// The file's bytes, or undefined when it is missing, a directory or unreadable (skipped silently).
export function readConfigFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path)
  } catch {
    return undefined
  }
}

// Splits the content into what fgets hands back: chunks ending after '\n' or at 1023 bytes.
function fgetsChunks(content: Buffer): Buffer[] {
  const chunks: Buffer[] = []
  let pos = 0
  while (pos < content.length) {
    const limit = Math.min(pos + LINE_CHUNK, content.length)
    const nl = content.indexOf(NL, pos)
    const end = nl !== -1 && nl < limit ? nl + 1 : limit
    chunks.push(content.subarray(pos, end))
    pos = end
  }
  return chunks
}

// One line's option words (one or two), or none for comments and blank lines.
function lineWords(chunk: Buffer): Buffer[] {
  // mosquitto: only a '#' in the very first byte of what fgets returned makes a comment, so the
  // tail of an over-long line that happens to start with '#' is a comment too
  if (chunk[0] === HASH) return []
  // mosquitto: the line is handled as a C string, so a NUL byte ends it
  const nul = chunk.indexOf(0)
  let end = nul === -1 ? chunk.length : nul
  while (end > 0 && (chunk[end - 1] === NL || chunk[end - 1] === CR)) end--
  let start = 0
  while (start < end && chunk[start] === SPACE) start++
  if (start === end) return []
  const space = chunk.indexOf(SPACE, start)
  if (space === -1 || space >= end) return [Buffer.from(chunk.subarray(start, end))]
  const first = Buffer.from(chunk.subarray(start, space))
  // mosquitto: the rest after exactly one space is the value, leading spaces and all; a token
  // followed by a single space and nothing else is a lone word
  if (space + 1 >= end) return [first]
  return [first, Buffer.from(chunk.subarray(space + 1, end))]
}

// The file as lines of option words, each line holding one or two words. Each line must be
// parsed on its own: an option that takes a value and ends its line does not take the next line.
export function configFileLines(content: Buffer): Buffer[][] {
  const lines: Buffer[][] = []
  for (const chunk of fgetsChunks(content)) {
    const words = lineWords(chunk)
    if (words.length > 0) lines.push(words)
  }
  return lines
}

// The file's option words in order, flattened. Loses line boundaries: prefer configFileLines
// when a line like "-t" alone must give "no topic specified" rather than eat the next line.
export function configFileTokens(content: Buffer): Buffer[] {
  return configFileLines(content).flat()
}
