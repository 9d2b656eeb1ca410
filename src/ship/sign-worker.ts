import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Signs bodies off the event loop; `close` ends its thread. */
export interface Signer {
  sign(body: Uint8Array): Promise<string>;
  close(): Promise<void>;
}

// CommonJS, evaluated in the worker: no file to find, whether vcstore runs from its sources, its bundle or a single executable.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { sign } = require('node:crypto');
const { key, head } = workerData;
parentPort.on('message', ({ bytes, lengths }) => {
  const sigs = [];
  let at = 0;
  for (const n of lengths) {
    sigs.push(sign(null, Buffer.concat([head, bytes.subarray(at, at + n)]), key).toString('base64'));
    at += n;
  }
  parentPort.postMessage(sigs);
});
`;

interface Waiting {
  body: Uint8Array;
  resolve: (sig: string) => void;
  reject: (err: unknown) => void;
}

/**
 * One worker thread signs, in batches: the bodies asked for in one turn of
 * the event loop go to it in one message and come back in one. Per
 * signature that costs the event loop a fraction of a thread-pool job's
 * round trip (a callback, a wake-up and a promise each). If the thread
 * fails, what it had and everything after is signed by `fallback`, and
 * `failed` is told why.
 */
export function workerSigner(
  privateKey: KeyObject,
  head: Buffer,
  prefix: string,
  fallback: (body: Uint8Array) => Promise<string>,
  failed: (err: unknown) => void,
): Signer {
  let worker: Worker | undefined = new Worker(WORKER, { eval: true, workerData: { key: privateKey, head } });
  let queued: Waiting[] = [];
  const inFlight: Waiting[][] = []; // in the order sent: the worker answers in order
  const idle = () => inFlight.length === 0 && queued.length === 0;
  worker.unref(); // held only while signatures are owed (below)

  const viaFallback = (w: Waiting) => void fallback(w.body).then(w.resolve, w.reject);
  const fail = (why: unknown) => {
    if (worker === undefined) return;
    worker = undefined;
    failed(why);
    for (const w of [...inFlight.splice(0).flat(), ...queued.splice(0)]) viaFallback(w);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(`the signing thread exited with code ${code}`));
  worker.on('message', (sigs: string[]) => {
    const batch = inFlight.shift() ?? [];
    batch.forEach((w, i) => w.resolve(prefix + sigs[i]));
    if (idle()) worker?.unref();
  });
  const send = () => {
    if (worker === undefined) return; // failed or closed meanwhile: the batch went to the fallback
    const batch = queued;
    queued = [];
    inFlight.push(batch);
    // The bodies in one fresh buffer, handed over rather than copied (a pooled Buffer would clone its whole pool).
    const bytes = new Uint8Array(batch.reduce((n, w) => n + w.body.length, 0));
    let at = 0;
    for (const w of batch) {
      bytes.set(w.body, at);
      at += w.body.length;
    }
    worker.postMessage({ bytes, lengths: batch.map((w) => w.body.length) }, [bytes.buffer]);
  };

  return {
    sign(body) {
      return new Promise((resolve, reject) => {
        const w = { body, resolve, reject };
        if (worker === undefined) return void viaFallback(w);
        if (idle()) worker.ref();
        if (queued.length === 0) setImmediate(send);
        queued.push(w);
      });
    },
    async close() {
      const closing = worker;
      worker = undefined;
      for (const w of [...inFlight.splice(0).flat(), ...queued.splice(0)]) viaFallback(w);
      await closing?.terminate();
    },
  };
}
