/** A clock that ticks every second, so that durations of running runs count up. */

class Clock {
  seconds = $state(Date.now() / 1000)

  constructor() {
    setInterval(() => {
      this.seconds = Date.now() / 1000
    }, 1000)
  }
}

export const now = new Clock()
