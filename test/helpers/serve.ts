import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { CLI } from './cli.ts';

export interface ServeProcess {
  child: ChildProcess;
  socket: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL, then wait for the exit */
  kill(): Promise<void>;
}

/** `vcstore serve --root ROOT` as a child process, resolved once it prints its readiness line. */
export async function startServe(
  root: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const socket = path.join(root, 'run/vcstore/vcstore.sock');
  const child = spawn(process.execPath, [...CLI, 'serve', '--root', root, ...args], {
    env: { ...process.env, VCSTORE_LOCK_STALE_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    void exited.then(([code]) => reject(new Error(`vcstore serve exited with ${code}: ${err}`)));
  });
  return {
    child,
    socket,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => any;
}

/** One HTTP request over a unix socket; `body` is sent as JSON unless it is a string. */
export function call(
  socket: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  agent?: http.Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      {
        socketPath: socket,
        method,
        path: url,
        ...(agent ? { agent } : {}),
        headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** An NDJSON stream's lines as they come, until `stop` is called or the server ends it. */
export function follow(
  socket: string,
  url: string,
  onLine: (line: any) => void,
): { stop: () => void; ended: Promise<void> } {
  let req: http.ClientRequest | undefined;
  const ended = new Promise<void>((resolve) => {
    req = http.request({ socketPath: socket, path: url, method: 'GET' }, (res) => {
      let buffered = '';
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          onLine(JSON.parse(buffered.slice(0, nl)));
          buffered = buffered.slice(nl + 1);
        }
      });
      res.on('end', () => resolve());
      res.on('error', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
  return { stop: () => req?.destroy(), ended };
}
