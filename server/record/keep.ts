/** Which tests' runs a recording per test keeps once they have ended (`--keep`). */

export type Keep = 'failed' | 'all'
export const KEEPS: readonly Keep[] = ['failed', 'all']
