// electron-vite's `?nodeWorker` import: a factory for a Node worker thread running that module.
declare module '*?nodeWorker' {
  import type { Worker, WorkerOptions } from 'node:worker_threads';
  export default function createWorker(options: WorkerOptions): Worker;
}
