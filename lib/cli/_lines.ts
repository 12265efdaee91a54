/**
 * Internal: a child process's output as text lines, as it arrives.
 *
 * @module
 */

/**
 * Yields the complete lines (without `"\n"`) of each chunk of `stream` as one
 * batch, so that a reader wakes its waiters once per chunk rather than once
 * per line; a last line with no newline comes as a batch of its own.
 */
export async function* lineBatches(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string[]> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    const lines = rest.split("\n");
    rest = lines.pop()!;
    yield lines;
  }
  if (rest !== "") yield [rest];
}
