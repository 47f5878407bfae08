/**
 * How much of a run's stream `smiley run --remote` holds while the recorder does not take it
 * (`--remote-buffer`): here, apart from the uploader, so that the run command's options are
 * read without loading Node's HTTP and TLS.
 */
export const DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024
