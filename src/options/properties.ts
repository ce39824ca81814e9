// -D / --property: the words after -D become mqtt-packet v5 property objects, one per packet
// kind, with mosquitto 2.0.11's checks and texts (contract §2.8). Pure: no I/O, no options.
import { ExitCode, UsageError } from '../core/errors.js'
import { strerror } from '../core/reason-codes.js'
import { validateUtf8 } from '../core/utf8.js'
import { PROPERTY_ORDER, type PropertyOrder } from '../core/encode.js'
import { atol } from './c-numbers.js'
import { COMMAND_WORDS, PROPERTY_TABLE, TYPE_NUMBERS, type CommandWord, type PropertyInfo } from './property-table.js'
import type { PropertyArg } from './types.js'

/** The packets whose property lists -D fills (only these get past the checks). */
export type PropertyCommand = 'connect' | 'publish' | 'subscribe' | 'unsubscribe' | 'disconnect' | 'will'

/** One list per packet kind, mqtt-packet-shaped; keys in the order the user first gave them. */
export type PropertyMap = Partial<Record<PropertyCommand, Record<string, unknown>>>

/** A checked -D argument. `value` is what mosquitto would send: a number even for byte types. */
export interface PropertyEntry {
  command: PropertyCommand
  /** Canonical (lower-case) property name. */
  name: string
  id: number
  /** mqtt-packet key, e.g. 'contentType'. */
  key: string
  value: number | string | Buffer | [string, string]
}

/** The commands -D can fill, in the order mosquitto checks their lists after all options. */
export const PROPERTY_COMMANDS: readonly PropertyCommand[] = ['connect', 'publish', 'subscribe', 'unsubscribe', 'disconnect', 'will']

// How mosquitto names each list in "Error in <X> properties: ...".
const LIST_LABEL: Readonly<Record<PropertyCommand, string>> = {
  connect: 'CONNECT', publish: 'PUBLISH', subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE', disconnect: 'DISCONNECT', will: 'Will',
}

// Valid MQTT command words the client still refuses: it never sends these packets with user properties.
const REFUSED: ReadonlySet<CommandWord> = new Set(['puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback', 'auth'])

const SUBSCRIPTION_IDENTIFIER = 11
const SESSION_EXPIRY_INTERVAL = 17
const USER_PROPERTY = 38
const VARINT_MAX = 268435455n
const RANGE_MAX: Readonly<Record<string, bigint>> = { byte: 255n, int16: 65535n, int32: 4294967295n, varint: 4294967295n }

const NOT_ENOUGH = 'Error: --property argument given but not enough arguments specified.\n\n'
const PROTOCOL_ERROR = strerror(ExitCode.PROTOCOL)
const DUPLICATE = strerror(22)

/** Check one -D argument where it appears on the command line (checks 1-7 of §2.8). */
export function checkPropertyArg(arg: PropertyArg): PropertyEntry {
  if (arg.values.length < 1) throw new UsageError(NOT_ENOUGH)
  const command = COMMAND_WORDS.find((c) => c === asciiLower(arg.command))
  // mosquitto 2.1 names the word it did not know (2.0: "Invalid command given ...")
  if (command === undefined) throw new UsageError(`Error: Invalid command ${arg.command} given in --property argument.\n\n`)
  const info = PROPERTY_TABLE.get(asciiLower(arg.name))
  if (info === undefined) throw new UsageError(`Error: Invalid property name ${arg.name} given in --property argument.\n\n`)
  // mosquitto: both words are echoed as typed, not as canonical names
  if (!info.commands.includes(command)) {
    throw new UsageError(`Error: ${arg.name} property not allowed for ${arg.command} in --property argument.\n\n`)
  }
  // mosquitto: the fourth word of user-property is only looked for once the first three passed
  if (info.type === 'pair' && arg.values.length < 2) throw new UsageError(NOT_ENOUGH)
  // mosquitto: connack is a valid command word but fails without any message, only the usage line
  if (command === 'connack') throw new UsageError('')
  // mosquitto: the client refuses publish + subscription-identifier although MQTT allows it
  if (REFUSED.has(command) || (command === 'publish' && info.id === SUBSCRIPTION_IDENTIFIER)) {
    throw new UsageError(`Error: ${arg.name} property not supported for ${arg.command} in --property argument.\n\n`)
  }
  return { command: command as PropertyCommand, name: info.name, id: info.id, key: info.key, value: parseValue(info, arg) }
}

/**
 * Build every property list once the whole command line is read (check 8: invalid values, then
 * duplicates, list by list). `sessionExpiry` is the -x/-c value the caller decided (v5 only,
 * added when > 0, after the -D ones); `quiet` (--quiet) silences the check-8 texts, as mosquitto does.
 */
export function buildProperties(
  args: readonly PropertyArg[],
  opts: { sessionExpiry?: number; protocolVersion?: number; quiet?: boolean },
): PropertyMap {
  const lists = new Map<PropertyCommand, PropertyEntry[]>(PROPERTY_COMMANDS.map((c) => [c, []]))
  for (const arg of args) {
    const entry = checkPropertyArg(arg)
    lists.get(entry.command)!.push(entry)
  }
  // mosquitto: -x / -c only add a session expiry in v5, so with -V 311 it cannot clash with -D
  const v5 = opts.protocolVersion === undefined || opts.protocolVersion === 5
  if (v5 && opts.sessionExpiry !== undefined && opts.sessionExpiry > 0) {
    lists.get('connect')!.push({
      command: 'connect', name: 'session-expiry-interval', id: SESSION_EXPIRY_INTERVAL, key: 'sessionExpiryInterval', value: opts.sessionExpiry,
    })
  }
  const map: PropertyMap = {}
  for (const [command, list] of lists) {
    checkList(command, list, opts.quiet === true)
    if (list.length > 0) map[command] = toPacketProperties(list)
  }
  return map
}

/** The names shell completion should offer: usable with `command`, or with any command -D fills. */
export function propertyNames(command?: PropertyCommand): string[] {
  const usable = command ? [command] : PROPERTY_COMMANDS
  const names: string[] = []
  for (const info of PROPERTY_TABLE.values()) {
    const refused = info.id === SUBSCRIPTION_IDENTIFIER ? ['publish'] : []
    if (info.commands.some((c) => usable.includes(c as PropertyCommand) && !refused.includes(c))) names.push(info.name)
  }
  return names
}

// Checks 6 and 7: the value, read as mosquitto reads it (atol for numbers, raw bytes otherwise).
function parseValue(info: PropertyInfo, arg: PropertyArg): PropertyEntry['value'] {
  const raw = arg.values[0]!
  const addError = (): UsageError => new UsageError(`Error adding property ${arg.name} ${TYPE_NUMBERS[info.type]}\n`)
  switch (info.type) {
    case 'binary':
      if (raw.length > 0xffff) throw new UsageError(`Error: Property value too long for property ${arg.name}.\n\n`)
      return Buffer.from(raw)
    case 'string':
      if (!validateUtf8(raw)) throw addError()
      return wireString(raw)
    case 'pair':
      // mosquitto: only the key is checked for UTF-8; the value is taken as it is
      if (!validateUtf8(raw)) throw addError()
      return [wireString(raw), wireString(arg.values[1]!)]
    default: {
      // mosquitto: atol, so garbage is 0 and " 12x" is 12; the message prints atol's (64-bit) result
      const n = atol(raw)
      if (n < 0n || n > RANGE_MAX[info.type]!) {
        throw new UsageError(`Error: Property value (${n}) out of range for property ${arg.name}.\n\n`)
      }
      if (info.type === 'varint' && n > VARINT_MAX) throw addError()
      return Number(n)
    }
  }
}

// mosquitto: a string's length is stored in 16 bits, so a 65536-byte string goes out empty and a
// longer user-property value is cut to its length mod 65536. Invalid UTF-8 (possible only in a
// user-property value) cannot be carried by mqtt-packet's strings: it goes out as U+FFFD.
function wireString(raw: Buffer): string {
  return raw.subarray(0, raw.length & 0xffff).toString('utf8')
}

// Check 8 for one list: entries in order; the first bad value or duplicate decides the text.
function checkList(command: PropertyCommand, list: readonly PropertyEntry[], quiet: boolean): void {
  const fail = (why: string): UsageError =>
    // mosquitto: these are printed with err_printf, which --quiet silences; the usage line stays
    new UsageError(quiet ? '' : `Error in ${LIST_LABEL[command]} properties: ${why}\n`)
  list.forEach((entry, i) => {
    if (invalidValue(entry)) throw fail(PROTOCOL_ERROR)
    if (entry.id !== USER_PROPERTY && list.slice(i + 1).some((later) => later.id === entry.id)) throw fail(DUPLICATE)
  })
}

// The values libmosquitto 2.0.11's list check refuses.
// mosquitto: 2.0.11 lets payload-format-indicator > 1 and a response-topic with wildcards through.
function invalidValue(entry: PropertyEntry): boolean {
  switch (entry.name) {
    case 'request-problem-information':
    case 'request-response-information':
      return (entry.value as number) > 1
    case 'receive-maximum':
    case 'topic-alias':
    case 'maximum-packet-size':
      return entry.value === 0
    default:
      return false
  }
}

// One list as mqtt-packet wants it: byte types as booleans, user properties grouped by key.
function toPacketProperties(list: readonly PropertyEntry[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  // the argv order, for the encoder (mqtt-packet groups user properties by key)
  const order: PropertyOrder = []
  for (const entry of list) {
    order.push(entry.id === USER_PROPERTY ? (entry.value as [string, string]) : entry.id)
    if (entry.id === USER_PROPERTY) {
      // a null prototype, so that a key such as "__proto__" is an ordinary key
      const users = (out.userProperties ??= Object.create(null)) as Record<string, string | string[]>
      const [key, value] = entry.value as [string, string]
      const prev = users[key]
      users[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
    } else if (PROPERTY_TABLE.get(entry.name)!.type === 'byte') {
      // mqtt-packet only accepts booleans here, so payload-format-indicator 2..255 goes out as 1
      out[entry.key] = entry.value !== 0
    } else {
      out[entry.key] = entry.value
    }
  }
  // not enumerable: mqtt-packet, Object.keys and spreads do not see it
  if ('userProperties' in out) Object.defineProperty(out, PROPERTY_ORDER, { value: order })
  return out
}

// strcasecmp in the C locale folds ASCII letters only.
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}
