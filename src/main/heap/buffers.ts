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

/**
 * glibc's malloc serves a request from its own mapping when it is at least its mmap threshold, and returns
 * that mapping to the system on free; but each such free of a block under 32 MiB (DEFAULT_MMAP_THRESHOLD_MAX)
 * raises the threshold to the block's size, so that later node-sized arrays come from the heap arenas, whose
 * freed space stays resident. Scratch arrays that are freed before the analysis ends ask for at least this
 * much (address space only: untouched pages cost no memory), so that freeing them never raises it.
 */
const OWN_MAPPING_BYTES = (32 << 20) + (64 << 10);

/** A zero-filled scratch array whose buffer is its own mapping, for arrays freed (by {@link release}) as soon as done. */
export function scratchUint32Array(length: number): Uint32Array {
  const bytes = length * 4;
  return bytes >= 1 << 20 && bytes < OWN_MAPPING_BYTES ? new Uint32Array(new ArrayBuffer(OWN_MAPPING_BYTES), 0, length) : new Uint32Array(length);
}

/** As {@link scratchUint32Array}, bytes. */
export function scratchUint8Array(length: number): Uint8Array {
  return length >= 1 << 20 && length < OWN_MAPPING_BYTES ? new Uint8Array(new ArrayBuffer(OWN_MAPPING_BYTES), 0, length) : new Uint8Array(length);
}
