// --help, the man pages and package.json must say what the option table says.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { helpText, listedOptions } from '../../src/options/help.js'
import { manPage } from '../../src/options/man.js'
import { OPTIONS, type Tool } from '../../src/options/table.js'
import { VERSION } from '../../src/version.js'

const root = new URL('../../../', import.meta.url)
const TOOLS: [Tool, string][] = [['pub', 'tspub'], ['sub', 'tssub'], ['rr', 'tsrr']]

test('the committed man pages are what the option table generates (npm run man)', () => {
  for (const [tool, name] of TOOLS) {
    assert.equal(readFileSync(new URL(`man/${name}.1`, root), 'utf8'), manPage(tool), `man/${name}.1 is stale: run npm run man`)
  }
})

test('every listed option is in --help and the man page of its tool, and no option of the other tool is', () => {
  for (const [tool, name] of TOOLS) {
    const help = helpText(tool, name)
    const man = manPage(tool)
    for (const spec of OPTIONS) {
      const spelled = spec.long ?? spec.short!
      // the whole word: --retain must not be found inside --retain-handling
      const inHelp = new RegExp(`^ .*${spelled.replace(/[-]/g, '\\-')}(?![\\w-])`, 'm').test(help)
      const inMan = man.includes(`\\fB${spelled.replace(/-/g, '\\-')}\\fR`)
      const listed = spec.tools.includes(tool) && !spec.hidden
      assert.equal(inHelp, listed, `${spelled} in ${name} --help`)
      assert.equal(inMan, listed, `${spelled} in ${name}.1`)
    }
    assert.ok(listedOptions(tool).length > 30)
  }
})

test('tsrr\'s man page says what success is for it, and documents -W and its exit status', () => {
  const man = manPage('rr')
  assert.match(man, /^\.B 0\nSuccess: the answer was received and printed\.$/m)
  assert.match(man, /^\.B 27\n\\fB\\-W\\fR timed out/m)
  assert.ok(man.includes('\\fB\\-W\\fR \\fItimeout_secs\\fR'))
})

test('package.json installs every tool and its man page', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  for (const [, name] of TOOLS) {
    assert.equal(pkg.bin[name], `bin/${name}`)
    assert.ok(pkg.man.includes(`man/${name}.1`), name)
  }
})

test('the version is package.json\'s', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  assert.equal(VERSION, pkg.version)
})

test('the man pages render without warnings', { skip: spawnSync('man', ['--version']).status !== 0 && 'man is not installed' }, () => {
  for (const [, name] of TOOLS) {
    const page = fileURLToPath(new URL(`man/${name}.1`, root))
    const r = spawnSync('man', ['--warnings', '-l', page], { env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' }, encoding: 'utf8' })
    assert.equal(r.status, 0)
    assert.equal(r.stderr, '', `${name}.1: ${r.stderr}`)
    assert.match(r.stdout, /EXIT STATUS/)
  }
})

test('the man pages are plain ASCII (they render the same under LANG=C)', () => {
  for (const [, name] of TOOLS) {
    const page = readFileSync(new URL(`man/${name}.1`, root))
    const at = page.findIndex((b) => b > 0x7e || (b < 0x20 && b !== 0x0a))
    assert.equal(at, -1, `${name}.1 has a byte that is not printable ASCII at ${at}`)
  }
})

test("each man page's EXIT STATUS is its tool's own and names every status it can end with", () => {
  const statuses = (page: string): string[] => {
    const section = page.slice(page.indexOf('.SH EXIT STATUS'), page.indexOf('.SH', page.indexOf('.SH EXIT STATUS') + 1))
    return [...section.matchAll(/^\.B (.+)$/gm)].map((m) => m[1]!.replace(/\\-/g, '-'))
  }
  const shared = ['0', '1', '1-5', '2', '3', '4', '7', '8', '11', '13', '14', '16', '19', '128-162']
  assert.deepEqual(statuses(manPage('pub')), [...shared, '10', '24', '25'].sort(byCode))
  assert.deepEqual(statuses(manPage('sub')), [...shared, '27', '255'].sort(byCode))
  assert.deepEqual(statuses(manPage('rr')), [...shared, '24', '27'].sort(byCode))
  const sub = manPage('sub')
  assert.doesNotMatch(sub.slice(sub.indexOf('.SH EXIT STATUS')), /every message was sent/)
})

function byCode(a: string, b: string): number {
  return parseInt(a, 10) - parseInt(b, 10) || a.length - b.length
}
