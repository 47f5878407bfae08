/**
 * The last few decoded blocks or chunks a store read, by key: a reader that moves a little
 * (a page, a step) finds them again without reading and decoding them once more.
 */
export class RecentlyUsed<V> {
  private readonly values = new Map<string, V>()

  constructor(private readonly capacity: number) {}

  /**
   * The value kept for `key` while `current` says it still stands for what the database
   * holds; else the one `make` gives, kept in place of the least recently used.
   */
  get(key: string, current: (value: V) => boolean, make: () => V): V {
    const kept = this.values.get(key)
    if (kept !== undefined) {
      this.values.delete(key)
      if (current(kept)) {
        this.values.set(key, kept) // now the most recently used
        return kept
      }
    }
    const value = make()
    if (this.values.size >= this.capacity) this.values.delete(this.values.keys().next().value!)
    this.values.set(key, value)
    return value
  }
}
