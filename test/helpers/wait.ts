/**
 * Waiting in tests: on the thing itself, never on a guess of how long it
 * takes. A loaded machine makes every guess wrong sooner or later; a deadline
 * only decides when a test that would wait forever fails, and says what it
 * waited for.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** what is waited for, as the failure message says it: "the shipper to catch up" */
  what: string;
  /** how long before the test fails, in ms (default 30 s) */
  timeout?: number;
  /** more to say on failure, asked only then (the last state seen, a log tail) */
  detail?: () => string | Promise<string>;
  /** a reason the wait can never succeed (the awaited process died), checked before each look: fails at once */
  hopeless?: () => string | undefined;
}

/** How long a test waits before it fails, unless it says otherwise. */
const TIMEOUT_MS = 30_000;
/** How often a condition is looked at again. */
const POLL_MS = 20;

/** Polls `check` until it holds; fails after the deadline naming what it waited for. */
export async function waitFor(check: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  await retry(async () => {
    if (!(await check())) throw new Error('not yet');
  }, opts);
}

/**
 * Calls `attempt` until it does not throw and returns what it returned; after
 * the deadline fails naming what it waited for, the last error as the cause.
 */
export async function retry<T>(attempt: () => Promise<T>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + (opts.timeout ?? TIMEOUT_MS);
  for (;;) {
    const hopeless = opts.hopeless?.();
    if (hopeless !== undefined) throw new Error(`gave up waiting for ${opts.what}: ${hopeless}`);
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) {
        const detail = opts.detail ? `: ${await opts.detail()}` : '';
        throw new Error(`timed out after ${opts.timeout ?? TIMEOUT_MS} ms waiting for ${opts.what}${detail}`, {
          cause: err,
        });
      }
    }
    await sleep(POLL_MS);
  }
}

/**
 * Lets `ms` pass. Only for a scenario that needs time itself to pass (a
 * process stopped for longer than a threshold), never to wait for something
 * to happen: that is `waitFor`.
 */
export const elapse = (ms: number): Promise<void> => sleep(ms);
