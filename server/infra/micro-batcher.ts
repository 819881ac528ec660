/** How a micro-batcher behaves; the defaults suit database writes from concurrent jobs. */
export interface MicroBatcherOptions<I, R> {
  /** writes a batch, answering one result per item in the same order */
  write(items: readonly I[]): Promise<R[]>;
  /** largest batch (default 100) */
  maxBatch?: number;
  /** batches written at the same time (default 1) */
  concurrency?: number;
  /**
   * Items with the same key are never in two batches being written at the same time, and reach
   * the writer in the order they were submitted (several may share one batch).
   */
  keyOf?(item: I): string;
  /**
   * how long the first item of an idle batcher waits for company (ms), unless a full batch is
   * waiting sooner; 0 = the next turn of the event loop
   */
  lingerMs?: number;
}

export interface MicroBatcherStats {
  batches: number;
  items: number;
  /** batches that failed as a whole and were written item by item */
  fallbacks: number;
}

interface Waiting<I, R> {
  item: I;
  key: string | undefined;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Group commit for concurrent callers: items submitted while batches are being written wait and
 * go together into the next one, so N concurrent callers cost one write instead of N. When a batch
 * fails, its items are written again one by one, so a bad item fails its own caller only, never
 * its neighbours.
 */
export class MicroBatcher<I, R> {
  readonly #write: (items: readonly I[]) => Promise<R[]>;
  readonly #maxBatch: number;
  readonly #concurrency: number;
  readonly #keyOf: ((item: I) => string) | undefined;
  readonly #lingerMs: number;
  readonly #waiting: Waiting<I, R>[] = [];
  /** keys of the items in batches being written */
  readonly #busy = new Set<string>();
  #running = 0;
  #scheduled = false;
  #linger: NodeJS.Timeout | undefined;
  readonly stats: MicroBatcherStats = { batches: 0, items: 0, fallbacks: 0 };

  constructor(options: MicroBatcherOptions<I, R>) {
    this.#write = options.write;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 100);
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#keyOf = options.keyOf;
    this.#lingerMs = options.lingerMs ?? 0;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, key: this.#keyOf?.(item), resolve, reject });
      if (this.#running >= this.#concurrency) return;
      // a full batch need not wait out the linger
      if (this.#linger && this.#waiting.length >= this.#maxBatch) {
        clearTimeout(this.#linger);
        this.#start();
        return;
      }
      if (this.#scheduled) return;
      this.#scheduled = true;
      if (this.#lingerMs > 0) this.#linger = setTimeout(() => this.#start(), this.#lingerMs);
      else setImmediate(() => this.#start());
    });
  }

  #start(): void {
    this.#scheduled = false;
    this.#linger = undefined;
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#concurrency) {
      const batch = this.#take();
      if (!batch.length) return;
      this.#running++;
      void this.#run(batch).finally(() => {
        this.#running--;
        for (const w of batch) if (w.key !== undefined) this.#busy.delete(w.key);
        this.#pump();
      });
    }
  }

  /** The oldest waiting items whose keys are not being written, up to a batch. */
  #take(): Waiting<I, R>[] {
    const batch: Waiting<I, R>[] = [];
    const taken = new Set<string>();
    for (let i = 0; i < this.#waiting.length && batch.length < this.#maxBatch; ) {
      const w = this.#waiting[i]!;
      if (w.key !== undefined && this.#busy.has(w.key) && !taken.has(w.key)) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      batch.push(w);
      if (w.key !== undefined) {
        taken.add(w.key);
        this.#busy.add(w.key);
      }
    }
    return batch;
  }

  async #run(batch: Waiting<I, R>[]): Promise<void> {
    this.stats.batches++;
    this.stats.items += batch.length;
    try {
      const results = await this.#write(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
    }
    this.stats.fallbacks++;
    for (const w of batch) {
      try {
        const [result] = await this.#write([w.item]);
        w.resolve(result!);
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
