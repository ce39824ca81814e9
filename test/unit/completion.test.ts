// Shell completion must say what the option table says, and must work in the shells themselves:
// bash's completion function is driven as bash drives it (COMP_WORDS, COMP_CWORD, COMP_LINE,
// COMP_POINT), and both shells complete typed lines under a pseudo-terminal (util-linux `script`).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { bashCompletion, zshCompletion } from '../../src/options/completion.js'
import { listedOptions } from '../../src/options/help.js'
import { PROPERTY_COMMANDS, propertyNames } from '../../src/options/properties.js'
import { OPTIONS, type Tool } from '../../src/options/table.js'

const root = new URL('../../../', import.meta.url)
const BASH_FILE = fileURLToPath(new URL('completion/tspub.bash', root))
const ZSH_DIR = fileURLToPath(new URL('completion/', root))
const TSPUB = fileURLToPath(new URL('bin/tspub', root))
const TOOLS: [Tool, 'tspub' | 'tssub' | 'tsrr'][] = [['pub', 'tspub'], ['sub', 'tssub'], ['rr', 'tsrr']]
const RUN_TIMEOUT_MS = 10_000

const spellings = (tool: Tool): string[] => listedOptions(tool).flatMap((o) => [o.short, o.long].filter((s): s is string => !!s))
const sorted = (words: string[]): string[] => [...words].sort()

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0
}

// bash splits a line into COMP_WORDS at blanks and at runs of COMP_WORDBREAKS characters, each run
// a word of its own (`mqtt://h:1` is mqtt : //h : 1); the lines below hold no quotes.
function compWords(line: string): string[] {
  const words = line.split(/[ \t]+/).flatMap((w) => w.split(/([:=@]+)/)).filter((w) => w !== '')
  if (/[ \t]$/.test(line) || line === '') words.push('')
  return words
}

// What the function registered for the line's command puts in COMPREPLY, cursor at the end.
function complete(line: string, cwd?: string, env?: NodeJS.ProcessEnv): string[] {
  const script = [
    'source "$1"; COMP_LINE=$2; COMP_POINT=${#2}; shift 2',
    'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
    // the function `complete -p` names for this command: checks the registration too
    'spec=$(complete -p "${COMP_WORDS[0]}") || exit 3',
    'fn=${spec#*-F }; fn=${fn%% *}',
    '"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'driver', BASH_FILE, line, ...compWords(line)], {
    cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: RUN_TIMEOUT_MS,
  })
  assert.equal(r.status, 0, `bash failed for "${line}": ${r.stderr}`)
  assert.equal(r.stderr, '', `bash wrote to stderr for "${line}"`)
  return r.stdout.split('\n').filter((w) => w !== '')
}

test('the committed completion scripts are what the option table generates (npm run build && node scripts/gen-completion.mjs)', () => {
  assert.equal(readFileSync(BASH_FILE, 'utf8'), bashCompletion(), 'completion/tspub.bash is stale')
  assert.equal(readFileSync(join(ZSH_DIR, '_tspub'), 'utf8'), zshCompletion(), 'completion/_tspub is stale')
})

test('bash: each tool completes every option --help lists, and no option of the other tool', () => {
  for (const [tool, name] of TOOLS) {
    const offered = complete(`${name} -`)
    assert.deepEqual(sorted(offered), sorted(spellings(tool)), `${name} -<TAB>`)
    for (const spec of OPTIONS) {
      const listed = spec.tools.includes(tool) && !spec.hidden
      for (const word of [spec.short, spec.long]) {
        if (word) assert.equal(offered.includes(word), listed, `${word} offered by ${name}`)
      }
    }
  }
})

// The _arguments specs of one tool's arm in the zsh script ({-h,--host}'[...  or  '--unix[...).
function zshOptions(script: string, name: 'tspub' | 'tssub' | 'tsrr'): string[] {
  const arm = new RegExp(`^ {4}${name === 'tspub' ? '\\*' : name}\\)\\n([\\s\\S]*?)^ {6}\\) ;;$`, 'm')
  const body = arm.exec(script)?.[1]
  assert.ok(body, `no ${name} arm in the zsh script`)
  const names: string[] = []
  for (const m of body.matchAll(/^ +(?:'[^']*')?(?:\{([^}]+)\}'|'(-[^'[]+))\[/gm)) {
    names.push(...(m[1] ? m[1].split(',') : [m[2]!]))
  }
  return names
}

test('zsh: each tool completes every option --help lists, and no option of the other tool', () => {
  const script = zshCompletion()
  assert.match(script, /^#compdef tspub tssub tsrr\n/)
  for (const [tool, name] of TOOLS) {
    assert.deepEqual(sorted(zshOptions(script, name)), sorted(spellings(tool)), name)
  }
})

test('bash: option names, and values where they are a fixed set', () => {
  assert.deepEqual(complete('tspub --will-q'), ['--will-qos'])
  assert.deepEqual(complete('tspub -V '), ['mqttv5', 'mqttv311', 'mqttv31', '5', '311', '31'])
  assert.deepEqual(complete('tssub --protocol-version mqttv3'), ['mqttv311', 'mqttv31'])
  assert.deepEqual(complete('tspub -q '), ['0', '1', '2'])
  assert.deepEqual(complete('tssub -t a --qos '), ['0', '1', '2'])
  assert.deepEqual(complete('tspub --will-qos '), ['0', '1', '2'])
  assert.deepEqual(complete('tspub --tls-version tlsv1.'), ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'])
  assert.deepEqual(complete('tssub --keyform '), ['pem', 'engine'])
  // -C (message count) is tssub's; tspub must not offer it
  assert.deepEqual(complete('tssub -C'), ['-C'])
  assert.deepEqual(complete('tspub -C'), [])
  assert.deepEqual(complete('tspub --ret'), ['--retain'])
  assert.deepEqual(sorted(complete('tssub --ret')), ['--retain-handling', '--retained-only'])
  assert.deepEqual(complete('tssub --retain-handling n'), ['new', 'never'])
  // tsrr: its own options, pub's message sources, sub's output options; not -l, -r or -C
  assert.deepEqual(complete('tsrr -e'), ['-e'])
  assert.deepEqual(complete('tspub -e'), [])
  assert.deepEqual(complete('tsrr --correlation '), ['strict', 'lenient', 'off'])
  assert.deepEqual(complete('tsrr --retain-handling n'), ['new', 'never'])
  assert.deepEqual(sorted(complete('tsrr --la')), ['--latency'])
  for (const word of ['-l', '-r', '-C']) assert.deepEqual(complete(`tsrr ${word}`), [], word)
  assert.deepEqual(complete('tsrr -f'), ['-f'])
  // the hidden option is accepted but, like in --help, not offered
  assert.deepEqual(complete('tssub --retain-as'), [])
})

test('bash: a value position never offers option names', () => {
  for (const line of ['tspub -m -', 'tspub -t --', 'tssub -F -', 'tssub -T -', 'tspub -i -', 'tspub --will-payload --']) {
    assert.deepEqual(complete(line), [], line)
  }
  // a hidden option with no value does not swallow the next word
  assert.deepEqual(complete('tssub --retain-as-published -V 5'), ['5'])
  // after a value, options again
  assert.deepEqual(complete('tspub -m -q -r'), ['-r'])
  assert.deepEqual(complete('tspub -t a -m -d --qu'), ['--quiet'])
})

test('bash: -D completes the command word, then the property names valid for it, then nothing', () => {
  assert.deepEqual(complete('tspub -D '), [...PROPERTY_COMMANDS])
  assert.deepEqual(complete('tssub --property un'), ['unsubscribe'])
  assert.deepEqual(complete('tspub -D publish '), propertyNames('publish'))
  for (const command of PROPERTY_COMMANDS) assert.deepEqual(complete(`tssub -D ${command} `), propertyNames(command), command)
  assert.ok(!complete('tspub -D publish ').includes('subscription-identifier'), 'the client refuses it for publish')
  assert.deepEqual(complete('tspub -D PUBLISH cont'), ['content-type'])
  assert.deepEqual(complete('tspub -D bogus '), [])
  // the value, and user-property's two words, are free text: no option names
  assert.deepEqual(complete('tspub -D publish content-type -'), [])
  assert.deepEqual(complete('tspub -D connect user-property -'), [])
  assert.deepEqual(complete('tspub -D connect user-property key -'), [])
  assert.deepEqual(complete('tspub -D publish content-type text --ret'), ['--retain'])
  assert.deepEqual(complete('tspub -D connect user-property key value --ret'), ['--retain'])
})

test('bash: files and directories for the options taking them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tspub-completion-'))
  try {
    writeFileSync(join(dir, 'ca.pem'), '')
    writeFileSync(join(dir, 'my key.pem'), '')
    writeFileSync(join(dir, 'x:y.pem'), '')
    mkdirSync(join(dir, 'certs'))
    const all = ['ca.pem', 'certs', 'my key.pem', 'x:y.pem']
    for (const opt of ['-f', '--file', '--cafile', '--cert', '--key', '--pw-file', '--unix']) {
      assert.deepEqual(sorted(complete(`tspub ${opt} `, dir)), all, opt)
    }
    assert.deepEqual(sorted(complete('tssub --cafile ', dir)), all)
    assert.deepEqual(complete('tspub --capath ', dir), ['certs'])
    assert.deepEqual(complete('tspub --capath c', dir), ['certs'])
    assert.deepEqual(complete('tspub -f my', dir), ['my key.pem'])
    // bash replaces only the piece after the ':' word break
    assert.deepEqual(complete('tspub --cafile x:', dir), [':y.pem'])
    assert.deepEqual(complete('tspub --cafile x:y', dir), ['y.pem'])
    // free-text values complete nothing, not even files
    assert.deepEqual(complete('tspub -m ', dir), [])
    assert.deepEqual(complete('tssub -t ', dir), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('bash: --profile completes the profile names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tspub-completion-'))
  try {
    mkdirSync(join(dir, 'tsmqtt', 'not-a-profile'), { recursive: true })
    for (const name of ['prod', 'staging', 'my lab', '.hidden']) writeFileSync(join(dir, 'tsmqtt', name), '-h localhost\n')
    const env = { XDG_CONFIG_HOME: dir }
    assert.deepEqual(sorted(complete('tssub --profile ', undefined, env)), ['my lab', 'prod', 'staging'])
    assert.deepEqual(complete('tspub --profile pr', undefined, env), ['prod'])
    // no XDG_CONFIG_HOME: ~/.config/tsmqtt, as the tools read it
    mkdirSync(join(dir, 'home', '.config', 'tsmqtt'), { recursive: true })
    writeFileSync(join(dir, 'home', '.config', 'tsmqtt', 'site'), '-h localhost\n')
    assert.deepEqual(complete('tspub --profile s', undefined, { XDG_CONFIG_HOME: undefined, HOME: join(dir, 'home') }), ['site'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('bash: words split at : = @ are read as the one argv word they are', () => {
  assert.deepEqual(complete('tspub -L mqtt://u:p@h:1883/t -V 5'), ['5'])
  assert.deepEqual(complete('tspub -L mqtt://h:1883/t --will-q'), ['--will-qos'])
  // `-m a=-q` is one word, the message: the next word is an option, not -q's value
  assert.deepEqual(complete('tspub -m a=-q -'), spellings('pub'))
  // without COMP_LINE (a caller that sets only COMP_WORDS) the words are taken as they are
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c',
    'source "$1"; COMP_WORDS=(tspub -V ""); COMP_CWORD=2; _tsmqtt; printf "%s\\n" "${COMPREPLY[@]}"', 'driver', BASH_FILE],
  { encoding: 'utf8', timeout: RUN_TIMEOUT_MS })
  assert.equal(r.stdout, 'mqttv5\nmqttv311\nmqttv31\n5\n311\n31\n')
})

// Types `keys` into an interactive shell under a pseudo-terminal and returns the argv that the
// completed command lines ran with (tspub and tssub are shell functions printing their arguments).
// The script comes from the committed file, or from `bin/tspub --completion <shell>` as the README
// says (zsh: after compinit, in the usual order of a ~/.zshrc).
function typeInShell(t: TestContext, shell: 'bash' | 'zsh', keys: string, from: 'file' | 'command' = 'file'): string[] | undefined {
  if (!hasCommand('script')) {
    t.skip('util-linux `script` is not installed: the interactive completion check needs a pseudo-terminal')
    return undefined
  }
  if (!hasCommand(shell)) {
    t.skip(`${shell} is not installed (apt-get install ${shell}): its interactive completion is not checked`)
    return undefined
  }
  const home = mkdtempSync(join(tmpdir(), `tspub-${shell}-`))
  try {
    mkdirSync(join(home, '.config', 'tsmqtt'), { recursive: true })
    writeFileSync(join(home, '.config', 'tsmqtt', 'production'), '-h localhost\n')
    const fake = 'tspub() { for a in "$@"; do printf "ARGV:%s|\\n" "$a"; done; }\ntssub() { tspub "$@"; }\nPS1="$ "\n'
    let command: string
    const printed = `source <('${TSPUB}' --completion ${shell})`
    if (shell === 'bash') {
      writeFileSync(join(home, 'rc'), `${from === 'file' ? `source '${BASH_FILE}'` : printed}\n${fake}`)
      command = `bash --rcfile '${join(home, 'rc')}' -i`
    } else {
      // -d: no /etc/zsh/zshrc, whose compinit or prompt setup is not ours to test
      const rc = from === 'file'
        ? `fpath=('${ZSH_DIR}' $fpath)\nautoload -U compinit && compinit -u -D\n`
        : `autoload -U compinit && compinit -u -D\n${printed}\n`
      writeFileSync(join(home, '.zshrc'), `${rc}${fake}`)
      command = 'zsh -d -i'
    }
    // The keys are typed ahead: the shell's line editor reads them, TAB included, once it starts.
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      input: `${keys}exit\n`, encoding: 'utf8', timeout: RUN_TIMEOUT_MS,
      env: { PATH: process.env.PATH, HOME: home, ZDOTDIR: home, TERM: 'xterm', LC_ALL: 'C.UTF-8' },
    })
    assert.equal(r.error, undefined, `${shell} under script: ${r.error?.message}`)
    return [...r.stdout.matchAll(/ARGV:(.*?)\|/g)].map((m) => m[1]!)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

// TAB after each prefix; the lines then run, so the argv shows what completion inserted.
const TYPED = 'tssub --will-q\t1 -V mqttv3\t\ntspub -D publish cont\ttext -L mqtt://h:1/t --keyf\tp\t--profile prod\t\n'
const EXPECTED = ['--will-qos', '1', '-V', 'mqttv31', '-D', 'publish', 'content-type', 'text', '-L', 'mqtt://h:1/t',
  '--keyform', 'pem', '--profile', 'production']

test('bash: tab completion works in an interactive bash', (t) => {
  const argv = typeInShell(t, 'bash', TYPED)
  if (argv) assert.deepEqual(argv, EXPECTED)
})

test('bash: source <(tspub --completion bash) in ~/.bashrc works as the file does', (t) => {
  const argv = typeInShell(t, 'bash', TYPED, 'command')
  if (argv) assert.deepEqual(argv, EXPECTED)
})

test('zsh: source <(tspub --completion zsh) after compinit in ~/.zshrc works as the file in $fpath does', (t) => {
  const argv = typeInShell(t, 'zsh', TYPED, 'command')
  if (argv) assert.deepEqual(argv, EXPECTED)
})

test('--completion prints the committed scripts, from every tool; an unknown shell is a usage error', () => {
  for (const tool of ['tspub', 'tssub']) {
    const bin = fileURLToPath(new URL(`bin/${tool}`, root))
    for (const [shell, file] of [['bash', BASH_FILE], ['zsh', join(ZSH_DIR, '_tspub')]] as const) {
      const r = spawnSync(bin, ['--completion', shell], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stdout, readFileSync(file, 'utf8'), `${tool} --completion ${shell}`)
    }
    const bad = spawnSync(bin, ['--completion', 'fish'], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS })
    assert.equal(bad.status, 1)
    assert.equal(bad.stdout, '')
    assert.equal(bad.stderr, `Error: --completion argument given but 'fish' is not a shell it knows (bash or zsh).\n\n\nUse '${tool} --help' to see usage.\n`)
    const missing = spawnSync(bin, ['--completion'], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS })
    assert.equal(missing.stderr, `Error: --completion argument given but no shell specified.\n\n\nUse '${tool} --help' to see usage.\n`)
  }
})

test('zsh: the script parses (zsh -n)', (t) => {
  if (!hasCommand('zsh')) {
    t.skip('zsh is not installed (apt-get install zsh): completion/_tspub is not checked')
    return
  }
  const r = spawnSync('zsh', ['-n', join(ZSH_DIR, '_tspub')], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS })
  assert.equal(r.status, 0, r.stderr)
})

test('zsh: tab completion works in an interactive zsh', (t) => {
  const argv = typeInShell(t, 'zsh', TYPED)
  if (argv) assert.deepEqual(argv, EXPECTED)
})
