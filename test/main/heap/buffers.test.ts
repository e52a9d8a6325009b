import { describe, expect, it } from 'vitest';
import { release, scratchUint32Array, scratchUint8Array } from '../../../src/main/heap/buffers.ts';
import { freeArray } from '../../../src/main/heap/dominators.ts';

describe('scratch arrays', () => {
  it('are zero-filled, as long as asked, and on a buffer of their own past the 32 MiB mmap limit', () => {
    const words = scratchUint32Array(3 << 20);
    expect(words.length).toBe(3 << 20);
    expect(words.byteOffset).toBe(0);
    expect(words.buffer.byteLength).toBeGreaterThan(32 << 20);
    expect(words.every((value) => value === 0)).toBe(true);
    const bytes = scratchUint8Array(2 << 20);
    expect(bytes.length).toBe(2 << 20);
    expect(bytes.buffer.byteLength).toBeGreaterThan(32 << 20);
    // Small and already big arrays are plain: nothing to gain.
    expect(scratchUint32Array(10).buffer.byteLength).toBe(40);
    expect(scratchUint32Array(9 << 20).buffer.byteLength).toBe(36 << 20);
  });

  it('are freed by release and by freeArray, which still leaves a view into a bigger array alone', () => {
    const a = scratchUint32Array(1 << 20);
    release(a);
    expect((a.buffer as ArrayBuffer).detached).toBe(true);
    const b = scratchUint32Array(1 << 20);
    freeArray(b);
    expect((b.buffer as ArrayBuffer).detached).toBe(true);
    const whole = new Uint32Array(16);
    freeArray(whole.subarray(4));
    expect((whole.buffer as ArrayBuffer).detached).toBe(false);
  });
});
