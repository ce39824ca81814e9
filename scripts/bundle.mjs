#!/usr/bin/env node
// Bundles each tool into one CommonJS file, dist/bundle/ts{pub,sub,rr}.cjs: start-up reads one file
// instead of hundreds, and scripts/snapshot.mjs turns it into a V8 start-up snapshot.
// - readable-stream (pulled in by mqtt-packet's bl) is Node's own stream module;
// - `debug` (mqtt-packet's trace calls), yargs' `cliui` and `string-width` (its usage layout,
//   which the tools never show: they print their own --help) are replaced by tiny stand-ins;
//   the real cliui/string-width build an Intl.Segmenter at load time, which a snapshot cannot hold;
// - `yargs/helpers` becomes yargs-parser alone (the helpers' platform shim is never used);
// - `ws` and `readline-sync` stay outside, loaded from node_modules only when used.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
for (const tool of ['tspub', 'tssub', 'tsrr']) {
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
