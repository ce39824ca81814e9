// Stands in for `yargs/helpers` in the bundle: the tools use only its Parser (yargs-parser, which
// yargs itself parses with). The real module also loads yargs' platform shim (node:assert,
// node:module, y18n...), and yargs-parser's Node entry loads node:module, fs and path to read
// config files: the tools need none of it, so the bundle takes yargs-parser's plain entry.
export { default as Parser } from 'yargs-parser/browser'
