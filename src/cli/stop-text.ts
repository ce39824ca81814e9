// What a tool prints instead of running when the command line asks for --help, --version or
// --completion (each tool then exits 0).
import { bashCompletion, zshCompletion } from '../options/completion.js'
import { helpText, versionText } from '../options/help.js'
import type { Tool } from '../options/table.js'
import type { ParseResult } from '../options/types.js'

/** The text for a parse that stopped short of a run. */
export function stopText(stop: Exclude<ParseResult, { kind: 'run' }>, tool: Tool, name: string): string {
  switch (stop.kind) {
    case 'help': return helpText(tool, name)
    case 'version': return versionText(name)
    case 'completion': return stop.shell === 'bash' ? bashCompletion() : zshCompletion()
  }
}
