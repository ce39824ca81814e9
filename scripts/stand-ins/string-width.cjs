// Stands in for `string-width` (used by yargs' usage layout, which the tools never show): the
// real one builds an Intl.Segmenter at load time, which V8 start-up snapshots cannot hold.
module.exports = function stringWidth(s) {
  return String(s).length
}
