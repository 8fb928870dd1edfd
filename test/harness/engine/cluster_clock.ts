import { Timestamp } from 'bson';

/**
 * The server's cluster time: a Timestamp (seconds, increment) that only moves forward. Each write takes the next
 * tick; reads report the last one.
 */
export class ClusterClock {
  private seconds = 0;
  private increment = 0;

  constructor(private readonly nowMs: () => number = Date.now) {
    this.seconds = Math.floor(this.nowMs() / 1000);
  }

  /** Reserves the next optime for a write. */
  tick(): Timestamp {
    const s = Math.floor(this.nowMs() / 1000);
    if (s > this.seconds) {
      this.seconds = s;
      this.increment = 1;
    } else {
      this.increment += 1;
    }
    return new Timestamp({ t: this.seconds, i: this.increment });
  }

  /** The last optime handed out (or the start time with increment 0 before any write). */
  current(): Timestamp {
    return new Timestamp({ t: this.seconds, i: this.increment });
  }
}
