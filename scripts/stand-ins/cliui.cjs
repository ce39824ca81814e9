// Stands in for yargs' `cliui` in the bundle: the tools print their own --help from the option
// table and never let yargs render usage, and the real module builds an Intl.Segmenter at load
// time, which V8 start-up snapshots cannot hold.
module.exports = function cliui() {
  const ui = { div() { return ui }, span() { return ui }, resetOutput() {}, toString() { return '' }, rowToString() { return '' } }
  return ui
}
