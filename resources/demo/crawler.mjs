// A small crawler that leaks the way Scrapy's "Debugging memory leaks" example does:
//
//   return Request(url, callback=self.parse_product, cb_kwargs={'referer': response})
//
// Every Request keeps the Response it came from alive through cbKwargs.referer while it waits in the
// scheduler's queue, and the spider enqueues more requests than the engine downloads, so responses pile up.
// A second leak imitates Django's DEBUG query log from the seeds: every "query" appends {sql, time} to
// connections.default.queriesLog, so SQL strings grow without bound.
//
// Like Scrapy's Request, Response, Selector and Spider (which inherit object_ref), the classes here extend
// leak-explorer/trackref's ObjectRef, so Leak Explorer shows their live counts and exact ages without a
// heap snapshot.
//
// Run it: `node resources/demo/crawler.mjs` (or `npm run demo`). It prints its PID and keeps crawling.
// It is also imported by the test fixtures and the benchmark, which drive it step by step.

import { pathToFileURL } from 'node:url';
import { ObjectRef } from '../trackref/index.js';

export class Request extends ObjectRef {
  constructor(url, { callback, cbKwargs = {}, meta = {} } = {}) {
    super();
    this.url = url;
    this.callback = callback;
    this.cbKwargs = cbKwargs;
    this.meta = meta;
    this.createdAt = Date.now();
  }
}

export class Response extends ObjectRef {
  constructor(url, status, body, request) {
    super();
    this.url = url;
    this.status = status;
    this.body = body;
    this.request = request;
    this.headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) };
  }
}

export class HtmlResponse extends Response {
  get text() {
    return this.body;
  }
}

export class Selector extends ObjectRef {
  constructor(response) {
    super();
    this.response = response;
  }
  links() {
    const found = [];
    const pattern = /href="([^"]+)"/g;
    let match;
    while ((match = pattern.exec(this.response.body)) !== null) found.push(match[1]);
    return found;
  }
}

export class Scheduler {
  constructor() {
    this.queue = [];
  }
  enqueue(request) {
    this.queue.push(request);
  }
  next() {
    return this.queue.shift();
  }
  get size() {
    return this.queue.length;
  }
}

export class DatabaseWrapper {
  constructor(alias) {
    this.alias = alias;
    this.queriesLog = [];
    this.debug = true;
  }
  execute(sql) {
    // Django keeps every query while DEBUG is on: this is the string leak.
    if (this.debug) this.queriesLog.push({ sql, time: '0.001' });
  }
}

export const connections = { default: new DatabaseWrapper('default') };

export class SomenastySpider extends ObjectRef {
  constructor(host, fanOut) {
    super();
    this.name = 'somenasty';
    this.host = host;
    this.fanOut = fanOut;
  }
  startRequests() {
    return [new Request(`${this.host}/index.html`, { callback: (r) => this.parse(r) })];
  }
  parse(response) {
    const links = new Selector(response).links().slice(0, this.fanOut);
    // The nasty line: the response rides along in cbKwargs and lives as long as the request waits.
    return links.map((url) => new Request(url, { callback: (r) => this.parse(r), cbKwargs: { referer: response } }));
  }
}

/** Builds a crawler whose every page is `pageBytes` long. Deterministic: page n links to 2n+1, 2n+2. */
export function createCrawler({ pageBytes = 2048, fanOut = 2, host = 'http://www.somenastyspider.com' } = {}) {
  const spider = new SomenastySpider(host, fanOut);
  const scheduler = new Scheduler();
  const stats = { downloaded: 0 };
  for (const request of spider.startRequests()) scheduler.enqueue(request);
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(pageBytes / 27));
  const download = (request) => {
    const n = stats.downloaded;
    const links = [];
    for (let k = 1; k <= fanOut; k++) links.push(`<a href="${host}/product.php?pid=${n * fanOut + k}">p</a>`);
    const body = `<html><body>${links.join('')}<p>${filler.slice(0, pageBytes)}</p><i>${n}</i></body></html>`;
    connections.default.execute(`SELECT * FROM product WHERE url = '${request.url}' /* page ${n} */`);
    return new HtmlResponse(request.url, 200, body, request);
  };
  return {
    spider,
    scheduler,
    stats,
    /** Downloads and parses one request. */
    step() {
      const request = scheduler.next();
      if (!request) return false;
      const response = download(request);
      stats.downloaded++;
      for (const next of request.callback(response)) scheduler.enqueue(next);
      return true;
    },
  };
}

// pathToFileURL, not `file://${path}`: a folder named with `#` or `%` would otherwise never match.
const isMain = typeof process !== 'undefined' && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const pagesPerSecond = Number(process.env.CRAWLER_RATE ?? 40);
  const crawler = createCrawler();
  globalThis.crawler = crawler;
  console.log(`demo crawler running as PID ${process.pid}; leaking responses via Request.cbKwargs.referer (${pagesPerSecond} pages/s)`);
  const timer = setInterval(() => {
    for (let i = 0; i < pagesPerSecond / 10; i++) crawler.step();
  }, 100);
  const stop = () => {
    clearInterval(timer);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by the app or the web shell: exit when that parent goes, however it goes (a crash or kill -9
  // gives it no chance to stop us), so a crawler with its inspector open never outlives the tool. Once the
  // parent is gone the kernel gives this process a new parent, which is what the watchdog sees.
  const parent = Number(process.env.LEAK_EXPLORER_PARENT_PID);
  if (Number.isInteger(parent) && parent > 0) {
    const watchdog = () => {
      if (process.ppid !== parent) stop();
    };
    watchdog();
    setInterval(watchdog, 500);
    process.on('disconnect', stop);
  }
}
