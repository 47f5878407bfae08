/** The console's formatting helpers live in shared/, where the browser uses them too. */

export {
  formatCount,
  formatDuration,
  formatTime,
  runDuration,
  shortId,
} from '../../shared/format.js'
