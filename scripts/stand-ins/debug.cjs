// Stands in for the `debug` package in the bundle: mqtt-packet's trace calls become no-ops.
module.exports = function debug() {
  const log = () => {}
  log.enabled = false
  return log
}
