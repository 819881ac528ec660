import { setMaxListeners } from 'node:events';

/**
 * Hard deadlines for many concurrent requests with one timer per second rather than one per call:
 * requests whose deadlines fall within the same second share one AbortSignal, aborted when that
 * second ends. A deadline of `ms` therefore fires between `ms` and `ms + granularityMs` after the
 * call — plenty for a cut-off meant for answers that trickle in for ever.
 */
export class CoarseDeadlines {
  readonly #controllers = new Map<number, AbortController>();

  constructor(private readonly granularityMs = 1_000) {}

  /** A signal aborted (with a TimeoutError) no earlier than `ms` from now. */
  signal(ms: number): AbortSignal {
    const slot = Math.ceil((Date.now() + ms) / this.granularityMs);
    const existing = this.#controllers.get(slot);
    if (existing) return existing.signal;
    const controller = new AbortController();
    // every request in flight listens on it: not a leak
    setMaxListeners(0, controller.signal);
    this.#controllers.set(slot, controller);
    const fire = () => {
      this.#controllers.delete(slot);
      controller.abort(new DOMException('the hard deadline passed', 'TimeoutError'));
    };
    setTimeout(fire, Math.max(0, slot * this.granularityMs - Date.now())).unref();
    return controller.signal;
  }
}
