// Error classes that carry the process exit code; only cli/run-tool.ts turns them into text.

/** libmosquitto's return codes, which mosquitto_pub/sub use as exit statuses. */
export const ExitCode = {
  OK: 0,
  USAGE: 1,
  PROTOCOL: 2,
  INVAL: 3,
  NO_CONN: 4,
  CONN_REFUSED: 5,
  CONN_LOST: 7,
  TLS: 8,
  NOT_SUPPORTED: 10,
  AUTH: 11,
  UNKNOWN: 13,
  ERRNO: 14,
  EAI: 15,
  PROXY: 16,
  KEEPALIVE: 19,
  TIMEOUT: 27,
} as const

/**
 * A bad command line or option value. `text` is printed verbatim to stderr (it carries its
 * own trailing newlines, as mosquitto's do); `withUsageHint` appends "\nUse '<prog> --help' to see usage.\n".
 * Never silenced by --quiet.
 */
export class UsageError extends Error {
  readonly text: Buffer
  constructor(
    text: string | Buffer,
    readonly withUsageHint = true,
  ) {
    const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : text
    super(buf.toString('utf8').trimEnd())
    this.text = buf
  }
}

/** A runtime failure: printed as `text` (unless --quiet) and exits with `exitCode`. */
export class ToolError extends Error {
  constructor(
    readonly exitCode: number,
    readonly text: string,
    options?: ErrorOptions,
  ) {
    super(text.trimEnd(), options)
  }
}
