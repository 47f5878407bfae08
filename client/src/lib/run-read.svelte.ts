/**
 * What a view reads of a run, read again whenever what `read` looks at changes: a view that
 * touches `run.eventCount` in `read` follows a run as it grows. An answer that arrives after a
 * newer question was asked is dropped, so a slow read never hides a fresher one.
 */
export class RunRead<T> {
  value = $state.raw<T | null>(null)
  problem = $state<string | null>(null)

  /** Call while a component is set up: the reading lives as long as the component. */
  constructor(read: () => Promise<T>) {
    let asked = 0
    $effect(() => {
      const question = ++asked
      read().then(
        (found) => {
          if (question === asked) this.value = found
        },
        (error: Error) => {
          if (question === asked) this.problem = error.message
        },
      )
    })
  }
}
