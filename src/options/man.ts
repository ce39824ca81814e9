// The man pages, rendered in roff from the option table plus the prose in man-text.ts, so the
// OPTIONS section cannot drift from what the parser accepts (test/unit/docs.test.ts checks the
// committed files against this).
import { VERSION } from '../version.js'
import { listedOptions } from './help.js'
import { MAN_SECTIONS, type ManSection } from './man-text.js'
import { description, TOOL_NAMES, type OptionSpec, type Tool } from './table.js'

const SUMMARY: Record<Tool, string> = {
  pub: 'an MQTT client that publishes one message, a file, or one message per line of stdin',
  sub: 'an MQTT client that subscribes to topics and prints the messages it receives',
  rr: 'an MQTT client that sends one request and prints the response (MQTT v5 request/response)',
}

/** Escape text for roff: backslashes, and a leading dot or quote. */
export function roffEscape(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1')
}

function optionItem(spec: OptionSpec, tool: Tool): string {
  const names = [spec.short, spec.long].filter(Boolean).map((n) => `\\fB${roffEscape(n!)}\\fR`).join(', ')
  const arg = spec.arg ? ` \\fI${roffEscape(spec.arg)}\\fR` : ''
  const choices = spec.choices ? ` One of: ${spec.choices.join(', ')}.` : ''
  return `.TP\n${names}${arg}\n${roffEscape(description(spec, tool) + choices)}`
}

function section(s: ManSection): string {
  return `.SH ${s.title}\n${s.body.trim()}`
}

/** The whole man page of one tool, as roff. */
export function manPage(tool: Tool): string {
  const name = TOOL_NAMES[tool]
  const parts = [
    `.TH ${name.toUpperCase()} 1 "" "${name} ${VERSION}" "User Commands"`,
    '.SH NAME',
    `${name} \\- ${SUMMARY[tool]}`,
    ...MAN_SECTIONS[tool].before.map(section),
    '.SH OPTIONS',
    ...listedOptions(tool).map((spec) => optionItem(spec, tool)),
    ...MAN_SECTIONS[tool].after.map(section),
  ]
  return parts.join('\n') + '\n'
}
