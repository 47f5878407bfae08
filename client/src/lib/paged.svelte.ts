/** A list read from the server a page at a time, each page saying where the next one starts. */

export interface Page<T> {
  items: T[]
  /** Where to continue, or null when there is no more. */
  next: number | null
}

export class PagedList<T> {
  items = $state.raw<T[]>([])
  next = $state<number | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)

  constructor(
    private readonly load: (from: number) => Promise<Page<T>>,
    first: number,
  ) {
    this.next = first
  }

  /** Reads the next page; pages that bring nothing (a stretch without matches) are read on. */
  async more(): Promise<void> {
    if (this.loading || this.next === null) return
    this.loading = true
    try {
      const target = this.items.length + 1
      while (this.next !== null && this.items.length < target) {
        const page = await this.load(this.next)
        this.items = [...this.items, ...page.items]
        this.next = page.next
      }
      this.error = null
    } catch (error) {
      this.error = (error as Error).message
    } finally {
      this.loading = false
    }
  }
}
