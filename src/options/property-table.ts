// The MQTT v5 properties that -D knows, as data: names, identifiers, value types and the
// packets each may appear in (contract §2.8). The output side reuses the names.

/** Value types, as libmosquitto names them. */
export type PropertyType = 'byte' | 'int16' | 'int32' | 'varint' | 'binary' | 'string' | 'pair'

/** The command words -D recognises (case-insensitively). */
// mosquitto 2.1 knows 'suback' and 'unsuback' (2.0.11 calls them "Invalid command"); neither
// knows pingreq/pingresp.
export const COMMAND_WORDS = [
  'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'disconnect', 'auth', 'will',
] as const

/** One -D command word. */
export type CommandWord = (typeof COMMAND_WORDS)[number]

/** One property: its -D name, MQTT identifier, type, mqtt-packet key and the commands it is allowed with. */
export interface PropertyInfo {
  name: string
  id: number
  type: PropertyType
  /** The camelCase key mqtt-packet uses for it. */
  key: string
  /** Commands for which it passes the "not allowed" check (the MQTT 5 table, as mosquitto applies it). */
  commands: readonly CommandWord[]
}

/** The numbers mosquitto prints in "Error adding property <prop> <n>". */
export const TYPE_NUMBERS: Readonly<Record<PropertyType, number>> = {
  byte: 1, int16: 2, int32: 3, varint: 4, binary: 5, string: 6, pair: 7,
}

const PUB_WILL: readonly CommandWord[] = ['publish', 'will']
const CONNACK: readonly CommandWord[] = ['connack']
const CONNECT_CONNACK: readonly CommandWord[] = ['connect', 'connack']

// Every row was checked against mosquitto_pub 2.0.11 (27 names x 12 commands) and 2.1.2 (x 14).
const ROWS: ReadonlyArray<[string, number, PropertyType, string, readonly CommandWord[]]> = [
  ['payload-format-indicator', 1, 'byte', 'payloadFormatIndicator', PUB_WILL],
  ['message-expiry-interval', 2, 'int32', 'messageExpiryInterval', PUB_WILL],
  ['content-type', 3, 'string', 'contentType', PUB_WILL],
  ['response-topic', 8, 'string', 'responseTopic', PUB_WILL],
  ['correlation-data', 9, 'binary', 'correlationData', PUB_WILL],
  ['subscription-identifier', 11, 'varint', 'subscriptionIdentifier', ['publish', 'subscribe']],
  ['session-expiry-interval', 17, 'int32', 'sessionExpiryInterval', ['connect', 'connack', 'disconnect']],
  ['assigned-client-identifier', 18, 'string', 'assignedClientIdentifier', CONNACK],
  ['server-keep-alive', 19, 'int16', 'serverKeepAlive', CONNACK],
  ['authentication-method', 21, 'string', 'authenticationMethod', ['connect', 'connack', 'auth']],
  ['authentication-data', 22, 'binary', 'authenticationData', ['connect', 'connack', 'auth']],
  ['request-problem-information', 23, 'byte', 'requestProblemInformation', ['connect']],
  ['will-delay-interval', 24, 'int32', 'willDelayInterval', ['will']],
  ['request-response-information', 25, 'byte', 'requestResponseInformation', ['connect']],
  ['response-information', 26, 'string', 'responseInformation', CONNACK],
  ['server-reference', 28, 'string', 'serverReference', ['connack', 'disconnect']],
  // mosquitto: reason-string passes the check for will too (the broker then refuses the CONNECT).
  ['reason-string', 31, 'string', 'reasonString',
    ['connack', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback', 'disconnect', 'auth', 'will']],
  ['receive-maximum', 33, 'int16', 'receiveMaximum', CONNECT_CONNACK],
  ['topic-alias-maximum', 34, 'int16', 'topicAliasMaximum', CONNECT_CONNACK],
  ['topic-alias', 35, 'int16', 'topicAlias', ['publish']],
  ['maximum-qos', 36, 'byte', 'maximumQoS', CONNACK],
  ['retain-available', 37, 'byte', 'retainAvailable', CONNACK],
  ['user-property', 38, 'pair', 'userProperties', COMMAND_WORDS],
  ['maximum-packet-size', 39, 'int32', 'maximumPacketSize', CONNECT_CONNACK],
  ['wildcard-subscription-available', 40, 'byte', 'wildcardSubscriptionAvailable', CONNACK],
  ['subscription-identifier-available', 41, 'byte', 'subscriptionIdentifiersAvailable', CONNACK],
  ['shared-subscription-available', 42, 'byte', 'sharedSubscriptionAvailable', CONNACK],
]

/** Every property name -D accepts (lower case) → its description; a Map, so 'constructor' is not a name. */
export const PROPERTY_TABLE: ReadonlyMap<string, PropertyInfo> = new Map(
  ROWS.map(([name, id, type, key, commands]) => [name, { name, id, type, key, commands }]),
)

/** mqtt-packet key → property description, for printing decoded properties by their -D names. */
export const PROPERTY_BY_KEY: ReadonlyMap<string, PropertyInfo> = new Map(
  [...PROPERTY_TABLE.values()].map((info) => [info.key, info]),
)
