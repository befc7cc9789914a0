/** A stream that yields `first`, then everything `rest` yields; cancelling it cancels `rest`. */
export function prepend<T>(first: T, rest: ReadableStream<T>): ReadableStream<T> {
  const reader = rest.getReader();
  let sent = false;
  return new ReadableStream<T>({
    async pull(c) {
      if (!sent) {
        sent = true;
        return c.enqueue(first);
      }
      const { value, done } = await reader.read();
      if (done) c.close();
      else c.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
