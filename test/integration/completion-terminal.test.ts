// bash completion as a person meets it: an interactive bash on a pseudo-terminal, a Tab pressed,
// and what readline put on the command line (quoting included), not only what COMPREPLY held.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, test } from 'node:test'
import { hasPty } from '../helpers/pty.js'
import { spawnCli, waitForOutput } from '../helpers/run-cli.js'

const BASH_FILE = fileURLToPath(new URL('../../../completion/tspub.bash', import.meta.url))
const PROMPT = 'READY> '
const HANG_MS = 15_000

const dir = mkdtempSync(join(tmpdir(), 'tspub-completion-pty-'))
mkdirSync(join(dir, 'tsmqtt'))
for (const name of ['my lab', 'prod']) writeFileSync(join(dir, 'tsmqtt', name), '-h localhost\n')
after(() => rmSync(dir, { recursive: true, force: true }))

// The shell's start-up file: a prompt to wait for, and the completion loaded as a user loads it.
const rc = join(dir, 'bashrc')
writeFileSync(rc, `PS1='${PROMPT}'\nsource '${BASH_FILE}'\n`)

// Type `typed` and a Tab at an interactive bash; resolves once the command line shows `shows`.
async function tabAfter(typed: string, shows: string): Promise<void> {
  const bash = spawnCli('script', ['-qec', `bash --rcfile '${rc}' --noprofile -i`, '/dev/null'],
    { env: { XDG_CONFIG_HOME: dir, TERM: 'dumb' }, timeoutMs: HANG_MS })
  const screen = (): string => bash.output().stdout.toString('latin1')
  await waitForOutput(bash, PROMPT, HANG_MS)
  const before = screen().length
  bash.child.stdin!.write(`${typed}\t`)
  await waitForOutput(bash, (b) => b.toString('latin1').indexOf(shows, before) !== -1, HANG_MS)
  bash.child.stdin!.write('\x15exit\n')
  const r = await bash.result
  assert.equal(r.code, 0, screen())
}

const skip = !hasPty && 'needs util-linux script (Linux)'

test('a profile name with a blank is completed quoted, however its start was typed', { skip }, async () => {
  await tabAfter('tspub --profile my', 'tspub --profile my\\ lab ')
  await tabAfter('tspub --profile my\\ l', 'tspub --profile my\\ lab ')
  await tabAfter("tssub --profile 'my", "tssub --profile 'my lab' ")
  await tabAfter('tspub --profile pr', 'tspub --profile prod ')
})
