// tssub --message-rate (mosquitto 2.1): instead of the messages, print once a second how many
// arrived in that second ("N msgs/s"), and the count since the last line when the run stops.

const SECOND_MS = 1000

/** Counts messages and writes the per-second line. */
export class MessageRate {
  private count = 0
  private timer?: NodeJS.Timeout

  constructor(private readonly write: (line: Buffer) => void) {}

  /** Starts the once-a-second lines (mosquitto: from the moment it starts connecting). */
  start(): void {
    this.timer = setInterval(() => this.line(), SECOND_MS)
  }

  /** One message arrived. */
  add(): void {
    this.count++
  }

  /** No more lines; `last` prints the count since the previous line (mosquitto does when a signal or -W ends the run). */
  stop(last: boolean): void {
    if (this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    if (last) this.line()
  }

  private line(): void {
    this.write(Buffer.from(`${this.count} msgs/s\n`))
    this.count = 0
  }
}
