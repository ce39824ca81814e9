// Topic and topic-filter validation and matching, with libmosquitto's rules.

import { validateUtf8 } from './utf8.js'

const PLUS = 0x2b
const HASH = 0x23
const SLASH = 0x2f
const DOLLAR = 0x24
// MQTT strings carry a two-byte length
const MAX_TOPIC_BYTES = 65535
// mosquitto 2.1 refuses a topic of more than 200 '/' (its TOPIC_HIERARCHY_LIMIT); 2.0 had no limit
const MAX_TOPIC_SEPARATORS = 200

// Outcome of a topic check: 'utf8' → "Malformed UTF-8 in … argument", 'invalid' → "Invalid … topic".
export type TopicCheck = 'ok' | 'utf8' | 'invalid'

// Checks a topic to publish to (-t in pub/rr, --will-topic, -e, the -L topic of pub) per §4.2.
export function checkPublishTopic(t: Buffer): TopicCheck {
  // mosquitto: the UTF-8 check runs first, so a topic over 65536 bytes is reported as malformed UTF-8
  if (!validateUtf8(t)) return 'utf8'
  if (!withinLimits(t)) return 'invalid'
  if (t.includes(PLUS) || t.includes(HASH)) return 'invalid'
  return 'ok'
}

// mosquitto 2.1 refuses an empty topic or filter here (2.0 let it through to the connection).
function withinLimits(t: Buffer): boolean {
  if (t.length === 0 || t.length > MAX_TOPIC_BYTES) return false
  let separators = 0
  for (let at = t.indexOf(SLASH); at !== -1; at = t.indexOf(SLASH, at + 1)) separators++
  return separators <= MAX_TOPIC_SEPARATORS
}

// Checks a subscription filter (-t/-L in sub, -T, -U) per §4.2: wildcards must fill whole levels.
export function checkSubscribeFilter(t: Buffer): TopicCheck {
  if (!validateUtf8(t)) return 'utf8'
  if (!withinLimits(t)) return 'invalid'
  const len = t.length
  for (let i = 0; i < len; i++) {
    const c = t[i]
    if (c !== PLUS && c !== HASH) continue
    if (i > 0 && t[i - 1] !== SLASH) return 'invalid'
    if (c === PLUS) {
      if (i + 1 < len && t[i + 1] !== SLASH) return 'invalid'
    } else if (i + 1 < len) {
      // '#' must be the last level
      return 'invalid'
    }
  }
  return 'ok'
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v
}

// Splits on '/' keeping empty levels, so 'a//b' has three levels and '/' has two.
function levels(b: Buffer): Buffer[] {
  const out: Buffer[] = []
  let start = 0
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === SLASH) {
      out.push(b.subarray(start, i))
      start = i + 1
    }
  }
  return out
}

function isLevel(level: Buffer, c: number): boolean {
  return level.length === 1 && level[0] === c
}

// Whether `topic` matches subscription `filter`, as mosquitto_topic_matches_sub decides it for -T.
// Anything the library calls invalid (empty strings, a malformed filter, wildcards in the topic) is
// "no match".
export function topicMatches(filter: Buffer | string, topic: Buffer | string): boolean {
  const f = toBuffer(filter)
  const t = toBuffer(topic)
  if (f.length === 0 || t.length === 0) return false
  if (t.includes(PLUS) || t.includes(HASH)) return false
  // a topic starting with '$' is only matched by a filter that starts with '$' (and vice versa)
  if ((f[0] === DOLLAR) !== (t[0] === DOLLAR)) return false
  const fl = levels(f)
  const tl = levels(t)
  for (let i = 0; i < fl.length; i++) {
    const level = fl[i]!
    if (isLevel(level, HASH)) {
      // '#' also matches the parent level: 'a/#' matches 'a'
      return i === fl.length - 1
    }
    if (level.includes(PLUS) || level.includes(HASH)) {
      if (!isLevel(level, PLUS)) return false
      if (i >= tl.length) return false
      continue
    }
    if (i >= tl.length || !level.equals(tl[i]!)) return false
  }
  return fl.length === tl.length
}
