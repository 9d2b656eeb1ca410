import { h, type ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errDaemon, type ErrorCode, StoreError } from '../../errors.ts';
import { unpackReport, type WireData } from '../wire.ts';
import { History } from './history.ts';
import { ReportView } from './report-view.ts';

const sandboxOfHash = () => new URLSearchParams(location.hash.slice(1)).get('sandbox') ?? undefined;

/** `vcstore serve`'s view at /ui/: the sandbox list, or one sandbox's history, kept up to date. */
export function Live(): ComponentChild {
  const [sandbox, setSandbox] = useState(sandboxOfHash());
  useEffect(() => {
    const changed = () => setSandbox(sandboxOfHash());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return sandbox === undefined ? h(SandboxList, null) : h(LiveSandbox, { key: sandbox, sandbox });
}

/**
 * Reads an NDJSON stream of the daemon, calling `onLine` for each line, until
 * `signal` aborts; a stream that ends (the daemon restarted) is opened again.
 */
async function follow(url: () => string, onLine: () => void, signal: AbortSignal, onState: (s: string) => void) {
  while (!signal.aborted) {
    try {
      const target = url();
      const response = await fetch(target, { signal });
      if (!response.ok || !response.body) throw await daemonError(target, response);
      onState('following');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        if (lines.some((l) => l.trim() !== '')) onLine();
      }
      onState('stream ended; reconnecting');
    } catch (err) {
      if (signal.aborted) return;
      onState(`stream failed (${err instanceof Error ? err.message : String(err)}); reconnecting`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw await daemonError(url, response);
  return (await response.json()) as T;
}

/** The daemon's answer to a failed request as a StoreError: its own code and message, or EDAEMON with the status. */
async function daemonError(url: string, response: Response): Promise<StoreError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string' && typeof body.message === 'string')
      return new StoreError(body.code as ErrorCode, `${url}: ${body.message}`);
  } catch {
    // not the daemon's JSON: a proxy's page, or the stream cut short
  }
  return errDaemon(`${url}: HTTP ${response.status}${text ? `: ${text}` : ''}`);
}

/** Calls `fn` once now and again after each `poke`, never two at once, coalescing pokes that come meanwhile. */
function coalesced(fn: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    do {
      again = false;
      await fn().catch(() => undefined);
    } while (again);
    running = false;
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}

interface Summary {
  sandbox: string;
  events: number;
  last?: string;
  deleted: boolean;
  consistent: boolean;
  error?: { code: string; message: string };
}

function SandboxList(): ComponentChild {
  const [list, setList] = useState<Summary[] | undefined>(undefined);
  const [state, setState] = useState('loading');
  useEffect(() => {
    const stop = new AbortController();
    const load = coalesced(async () => setList(await getJson<Summary[]>('/v1/sandboxes', stop.signal)));
    load();
    void follow(() => '/v1/events?follow=true', load, stop.signal, setState);
    return () => stop.abort();
  }, []);
  return h(
    'div',
    { class: 'sandboxes' },
    h('header', null, h('h1', null, 'sandboxes'), h('p', { class: 'made' }, `live from vcstore serve · ${state}`)),
    list === undefined
      ? h('p', null, 'loading…')
      : h(
          'table',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['sandbox', 'events', 'last event', 'tree'].map((t) => h('th', { key: t }, t)),
            ),
          ),
          h(
            'tbody',
            null,
            list.map((s) =>
              h(
                'tr',
                { key: s.sandbox, 'data-sandbox': s.sandbox },
                h('td', null, h('a', { href: `#sandbox=${encodeURIComponent(s.sandbox)}` }, s.sandbox)),
                h('td', null, String(s.events)),
                h('td', null, s.last ?? ''),
                h(
                  'td',
                  null,
                  s.error
                    ? `unreadable: ${s.error.code}`
                    : `${s.deleted ? 'deleted, ' : ''}${s.consistent ? 'consistent' : 'drift'}`,
                ),
              ),
            ),
          ),
        ),
  );
}

function LiveSandbox({ sandbox }: { sandbox: string }): ComponentChild {
  const [view, setView] = useState<{ history: History; version: number } | undefined>(undefined);
  const [state, setState] = useState('loading');
  useEffect(() => {
    const stop = new AbortController();
    const id = encodeURIComponent(sandbox);
    let history: History | undefined;
    let version = 0;
    const last = () => history?.rows.at(-1)?.seq ?? 0;
    const update = coalesced(async () => {
      const after = history ? last() : 0;
      const data = unpackReport(await getJson<WireData>(`/ui/data/${id}?after=${after}`, stop.signal));
      if (history === undefined || !history.merge(data)) {
        history = after === 0 ? new History(data) : undefined;
        if (history === undefined) return update(); // did not follow on: read it all again
      }
      setView({ history, version: ++version });
    });
    update();
    // The daemon's event stream says when to look: each line is an event appended after the last one held.
    const stream = () => `/v1/sandboxes/${id}/events?follow=true&after=${last()}`;
    void follow(stream, update, stop.signal, setState);
    return () => stop.abort();
  }, [sandbox]);
  return h(
    'div',
    { class: 'live' },
    h('nav', null, h('a', { href: '#' }, '← all sandboxes')),
    view === undefined
      ? h('p', null, `loading ${sandbox}…`)
      : h(ReportView, { history: view.history, version: view.version, status: `live · ${state}` }),
  );
}
