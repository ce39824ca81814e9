// tssub -w / --watch (mosquitto 2.1): each topic gets a terminal line of its own, in the order
// topics first arrive (the first on line 2, under a "Broker: host" header), and each message is
// printed over its topic's line with ANSI cursor moves; the cursor is then parked below them all.

const ESC = '\x1b'

/** The cursor moves around each printed message, and the line each topic owns. */
export class WatchLayout {
  private readonly lines = new Map<string, number>()
  // mosquitto: the next free line; line 1 holds the header.
  private next = 2

  /** Clears the screen and prints the header, before connecting (mosquitto's output_init). */
  header(host: string): Buffer {
    return Buffer.from(`${ESC}[2J${ESC}[1;1HBroker: ${host}\n`, 'latin1')
  }

  /**
   * Moves to the topic's line (a new topic takes the next one). mosquitto leaves what a longer
   * earlier message printed there (10 then 9 reads "90"); we clear the line first.
   */
  before(topic: Buffer): Buffer {
    const key = topic.toString('latin1')
    let line = this.lines.get(key)
    if (line === undefined) {
      line = this.next++
      this.lines.set(key, line)
    }
    return Buffer.from(`${ESC}[${line};1H${ESC}[K`, 'latin1')
  }

  /** Parks the cursor on the line below the last topic's. */
  after(): Buffer {
    return Buffer.from(`${ESC}[${this.next - 1};1H\n`, 'latin1')
  }
}
