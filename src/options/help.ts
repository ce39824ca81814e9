// --help text, generated from the option table so it cannot drift from what the parser accepts.
import { VERSION } from '../version.js'
import { description, OPTIONS, type Group, type OptionSpec, type Tool } from './table.js'

const SUMMARY: Record<Tool, string> = {
  pub: 'is a simple mqtt client that will publish a message on a single topic and exit.',
  sub: 'is a simple mqtt client that will subscribe to a set of topics and print all messages it receives.',
  rr: 'is a simple mqtt client that will publish a request message and wait for the response (MQTT v5 request/response).',
}

const SYNOPSIS: Record<Tool, string[]> = {
  pub: [
    '{[-h host] [--unix path] [-p port] [-u username] [-P password] [--ws] -t topic | -L URL}',
    '{-f file | -l | -n | -m message | -s}',
    '[-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay time] [-x session-expiry]',
  ],
  sub: [
    '{[-h host] [--unix path] [-p port] [-u username] [-P password] {-t topic | -U topic} [--ws] | -L URL [-t topic]}',
    '[-c] [-k keepalive] [-q qos] [-x session-expiry-interval]',
    '[-C msg_count] [-E] [-R] [--retained-only] [--remove-retained] [-T filter_out] [-U topic ...]',
    '[-F format] [-W timeout_secs] [-N] [-v] [--pretty] [--random-filter chance]',
    '[-w] [--message-rate] [--retain-handling always|new|never]',
  ],
  rr: [
    '{[-h host] [--unix path] [-p port] [-u username] [-P password] -t topic | -L URL} -e response-topic',
    '{-f file | -n | -m message | -s}',
    '[-c] [-k keepalive] [-q qos] [-R] [--retain-handling handling] [-x session-expiry] [--correlation mode]',
    '[-F format] [-W timeout_secs] [-N] [-v] [--pretty] [--latency]',
  ],
}

const COMMON_SYNOPSIS = [
  '[-A bind_address] [--nodelay] [-i id] [-I id_prefix] [-d] [--quiet] [-M max_inflight] [-V protocol-version]',
  '[--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]',
  '[{--cafile file | --capath dir} [--cert file] [--key file] [--ciphers ciphers] [--insecure] [--tls-version version]',
  '  [--tls-alpn protocol] [--tls-use-os-certs] [--tls-keylog file]] [--psk hex-key --psk-identity identity] [--no-tls]',
  '[--proxy socks-url] [-D command identifier value] [-o options-file] [--profile name]',
]

const GROUP_TITLES: Record<Group, string> = {
  Connection: 'Connection', Session: 'Session and protocol', Message: 'Message', Subscribe: 'Subscription',
  Output: 'Output', Will: 'Will', TLS: 'TLS and TLS-PSK', General: 'General',
}

/** The options of `tool` that --help lists, grouped, in table order. */
export function listedOptions(tool: Tool): OptionSpec[] {
  return OPTIONS.filter((o) => o.tools.includes(tool) && !o.hidden)
}

/** `-h, --host host` as shown in --help and the man page. */
export function optionLabel(spec: OptionSpec): string {
  const names = [spec.short, spec.long].filter(Boolean).join(', ')
  return spec.arg ? `${names} ${spec.arg}` : names
}

/** The whole --help text of one tool. */
export function helpText(tool: Tool, name: string): string {
  const pad = ' '.repeat(`Usage: ${name} `.length)
  const lines = [
    `${name} ${SUMMARY[tool]}`,
    `${name} version ${VERSION} running on Node.js ${process.version}.`,
    '',
    `Usage: ${name} ${SYNOPSIS[tool][0]}`,
    ...[...SYNOPSIS[tool].slice(1), ...COMMON_SYNOPSIS].map((l) => pad + l),
    `       ${name} --help`,
  ]
  let group: Group | undefined
  for (const spec of listedOptions(tool)) {
    if (spec.group !== group) {
      group = spec.group
      lines.push('', `${GROUP_TITLES[group]}:`)
    }
    lines.push(` ${optionLabel(spec)} : ${description(spec, tool)}`)
  }
  lines.push('', `See the ${name}(1) man page for more information.`, '')
  return lines.join('\n')
}

/** The --version line. */
export function versionText(name: string): string {
  return `${name} version ${VERSION} running on Node.js ${process.version}.\n`
}
