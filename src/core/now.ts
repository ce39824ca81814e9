// A monotonic clock in milliseconds. Not performance.now(): the global `performance` loads
// perf_hooks on first use, about a millisecond of a tool's start.

/** Milliseconds from an arbitrary origin, monotonic, sub-millisecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
