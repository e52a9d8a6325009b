/**
 * Memory helpers for the engine's typed arrays: arrays on SharedArrayBuffers (which a worker reads while this
 * thread does too), and freeing scratch arrays as soon as a phase is done with them.
 */

/** A zero-filled Uint32Array on a SharedArrayBuffer, so that a worker can read it while this thread does too. */
export function sharedUint32Array(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

/** True when the array lives on a SharedArrayBuffer. */
export function isShared(array: ArrayBufferView): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

/**
 * Frees the memory of scratch arrays now, by detaching their buffers: the garbage collector would free them
 * only when the JS heap needs collecting, which an engine working in typed arrays rarely triggers, so that
 * each phase's scratch would add to the peak. Only for arrays that own their buffer (made with `new`);
 * shared buffers cannot be detached and are skipped.
 */
export function release(...arrays: ArrayBufferView[]): void {
  for (const array of arrays) {
    const { buffer } = array;
    if (buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
  }
}
