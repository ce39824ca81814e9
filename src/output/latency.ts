// tsrr --latency: the time from sending the request to the answer arriving, worded as
// mosquitto_rr 2.1 prints it (whole seconds with nanoseconds, else ns, µs or ms with printf's %f).

/** The line printed after the answer, for `ns` nanoseconds. */
export function latencyText(ns: bigint): string {
  const seconds = ns / 1_000_000_000n
  const rest = ns % 1_000_000_000n
  if (seconds > 0n) return `Latency: ${seconds}.${rest.toString().padStart(9, '0')}\n`
  const n = Number(rest)
  if (n < 1000) return `Latency: ${n}ns\n`
  if (n < 1_000_000) return `Latency: ${(n / 1000).toFixed(6)}µs\n`
  return `Latency: ${(n / 1_000_000).toFixed(6)}ms\n`
}
