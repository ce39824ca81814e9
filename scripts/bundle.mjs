#!/usr/bin/env node
// Bundles each tool into one CommonJS file, dist/bundle/ts{pub,sub}.cjs: start-up reads one file
// instead of hundreds, and scripts/snapshot.mjs turns it into a V8 start-up snapshot.
// - readable-stream (pulled in by mqtt-packet's bl) is Node's own stream module;
// - `debug` (mqtt-packet's trace calls), yargs' `cliui` and `string-width` (its usage layout,
//   which the tools never show: they print their own --help) are replaced by tiny stand-ins;
//   the real cliui/string-width build an Intl.Segmenter at load time, which a snapshot cannot hold;
// - `yargs/helpers` becomes yargs-parser alone (the helpers' platform shim is never used);
// - `ws` and `readline-sync` stay outside, loaded from node_modules only when used.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { V8_FLAGS } from './v8-flags.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const TOOLS = readdirSync(`${root}/dist/src/cli`).filter((f) => f.endsWith('-main.js')).map((f) => f.slice(0, -'-main.js'.length))
for (const tool of TOOLS) {
  await build({
    entryPoints: [`${root}/dist/src/cli/${tool}-main.js`],
    outfile: `${root}/dist/bundle/${tool}.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    external: ['ws', 'readline-sync'],
    alias: {
      'readable-stream': 'node:stream',
      debug: `${root}/scripts/stand-ins/debug.cjs`,
      cliui: `${root}/scripts/stand-ins/cliui.cjs`,
      'string-width': `${root}/scripts/stand-ins/string-width.cjs`,
      'yargs/helpers': `${root}/scripts/stand-ins/yargs-helpers.mjs`,
    },
    define: { 'import.meta.url': '__tsmqtt_url' },
    banner: { js: "const __tsmqtt_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  })
}
// dist/bundle/id names this build (the bundles and the V8 flags): bin/<tool> keeps a blob built on
// first use under it in the user's cache, so that another build or version never takes it.
const hash = createHash('sha256').update(V8_FLAGS.join(' '))
for (const tool of TOOLS) hash.update(readFileSync(`${root}/dist/bundle/${tool}.cjs`))
writeFileSync(`${root}/dist/bundle/id`, `${hash.digest('hex').slice(0, 16)}\n`)
// blobs of the previous bundles would start the old code
rmSync(`${root}/dist/snapshot`, { recursive: true, force: true })
