/**
 * A push-fed async iterator: producers `push`, one consumer iterates. Written by hand rather than
 * as an async generator so that `return()` (a client unsubscribing or disconnecting) takes effect
 * at once, even while the consumer waits in `next()`, and releases what the producer holds
 * (`onClose`). An async generator suspended in `await` would see `return()` only after its next
 * value, leaking the subscription until then.
 */
export interface AsyncQueue<T> extends AsyncIterableIterator<T> {
  /** false once the queue is closed (the value is dropped). */
  push(value: T): boolean
  /** Ends the iteration with an error after the values already queued. */
  fail(error: unknown): void
  /** Ends the iteration after the values already queued. */
  end(): void
  /** Values queued and not yet taken. */
  readonly size: number
  readonly closed: boolean
  /** Closes the queue (the consumer is done), releasing the producer's side at once. */
  return(): Promise<IteratorResult<T>>
}

export function createAsyncQueue<T>(onClose?: () => void): AsyncQueue<T> {
  const values: T[] = []
  let waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null
  let ending: { error: unknown } | null = null
  let closed = false

  const close = () => {
    if (closed) return
    closed = true
    values.length = 0
    onClose?.()
  }

  const settleWaiting = () => {
    if (!waiting) return
    const { resolve, reject } = waiting
    if (values.length > 0) {
      waiting = null
      resolve({ done: false, value: values.shift() as T })
    } else if (ending) {
      waiting = null
      const { error } = ending
      close()
      if (error === undefined) resolve({ done: true, value: undefined })
      else reject(error)
    } else if (closed) {
      waiting = null
      resolve({ done: true, value: undefined })
    }
  }

  const queue: AsyncQueue<T> = {
    push(value) {
      if (closed || ending) return false
      values.push(value)
      settleWaiting()
      return true
    },
    fail(error) {
      if (closed || ending) return
      ending = { error: error ?? new Error('failed') }
      settleWaiting()
    },
    end() {
      if (closed || ending) return
      ending = { error: undefined }
      settleWaiting()
    },
    get size() {
      return values.length
    },
    get closed() {
      return closed
    },
    next() {
      if (values.length > 0) return Promise.resolve({ done: false, value: values.shift() as T })
      if (ending) {
        const { error } = ending
        close()
        return error === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(error)
      }
      if (closed) return Promise.resolve({ done: true, value: undefined })
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject }
      })
    },
    return() {
      close()
      settleWaiting()
      return Promise.resolve({ done: true, value: undefined })
    },
    throw(error) {
      close()
      settleWaiting()
      return Promise.reject(error)
    },
    [Symbol.asyncIterator]() {
      return queue
    },
  }
  return queue
}
