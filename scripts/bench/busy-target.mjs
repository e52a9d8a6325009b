// Bench target: a busy service that allocates as real ones do (request objects, JSON, a bounded cache) and
// prints how many requests it served in each second, as a JSON line. Started with --inspect=127.0.0.1:0.
const cache = new Map();
let served = 0;

function handle(id) {
  const request = { id, path: `/items/${id % 1000}`, headers: { accept: 'application/json', 'x-id': String(id) } };
  const body = JSON.stringify({ id, items: Array.from({ length: 20 }, (_, k) => ({ k, name: `item-${k}` })) });
  cache.set(request.path, body);
  if (cache.size > 500) cache.delete(cache.keys().next().value);
  return JSON.parse(body).items.length;
}

let windowStart = performance.now();
function work() {
  const until = performance.now() + 10;
  while (performance.now() < until) {
    handle(served);
    served++;
  }
  const now = performance.now();
  if (now - windowStart >= 1000) {
    process.stdout.write(`${JSON.stringify({ perSecond: (served * 1000) / (now - windowStart) })}\n`);
    served = 0;
    windowStart = now;
  }
  setImmediate(work);
}
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
work();
