/**
 * Raw clients for the web shell tests: an HTTP request written byte for byte on a TCP socket (so that a
 * request line no HTTP library would send can be sent), WebSocket frames built by hand, and a well-behaved
 * API client over the `ws` package.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { Result } from '../../../src/shared/errors.ts';

/** Sends `text` as is and gives the status line of the answer ('' when the server closed without one). */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer.split('\r\n')[0]));
    socket.on('error', reject);
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(text.split('\r\n')[0])}`)));
  });
}

/** A client-to-server frame (masked, as RFC 6455 requires of clients), with a declared length that may lie. */
export function frame(opcode: number, payload: Buffer, declaredLength = payload.length): Buffer {
  const key = randomBytes(4);
  let header: Buffer;
  if (declaredLength < 126) header = Buffer.from([0x80 | opcode, 0x80 | declaredLength]);
  else if (declaredLength < 65536) {
    header = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0]);
    header.writeUInt16BE(declaredLength, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  const masked = Buffer.from(payload.map((byte, k) => byte ^ key[k % 4]));
  return Buffer.concat([header, key, masked]);
}

/** Opens /ws by hand, sends `bytes` once upgraded, and gives the close code the server answered with. */
export function sendFrames(port: number, cookie: string, bytes: Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nCookie: ${cookie}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let received = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (!upgraded && end >= 0) {
        if (!received.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) return reject(new Error(`not upgraded: ${received.toString().split('\r\n')[0]}`));
        upgraded = true;
        received = received.subarray(end + 4);
        socket.write(bytes);
      }
    });
    socket.on('close', () => {
      // The server's close frame: opcode 8, then a 2-byte status code.
      resolve(received.length >= 4 && (received[0] & 0x0f) === 8 ? received.readUInt16BE(2) : null);
    });
    socket.on('error', () => undefined);
    socket.setTimeout(15_000, () => socket.destroy());
  });
}

/** A well-behaved API client over the `ws` package, as the page's own client talks. */
export class ApiClient {
  private nextCall = 1;
  private readonly socket: WebSocket;
  private constructor(socket: WebSocket) {
    this.socket = socket;
  }

  static open(port: number, cookie: string): Promise<ApiClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: `http://127.0.0.1:${port}`, cookie } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new ApiClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request exactly as given (a method name may be anything) and waits for its reply. */
  call(method: string, params: unknown = {}): Promise<Result<unknown>> {
    const callId = this.nextCall++;
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(String(data)) as { callId?: number; result?: Result<unknown> };
        if (reply.callId === callId && reply.result) {
          this.socket.off('message', onMessage);
          resolve(reply.result);
        }
      };
      this.socket.on('message', onMessage);
      this.socket.send(JSON.stringify({ callId, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}
