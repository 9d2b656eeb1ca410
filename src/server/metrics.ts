import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '../errors.ts';
import type { JournalEvent } from '../journal/record.ts';
import type { Roots } from '../layout/roots.ts';
import { shipStatus } from '../ship/status.ts';

/**
 * The daemon's Prometheus metrics, one registry per server. The store does
 * not expose its own group commits, so a group is seen from outside: the
 * writes to one sandbox acknowledged in the same turn of the event loop
 * (one group resolves all its writes at once).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'vcstore_events_appended_total',
    help: 'events appended through the API, by operation',
    labelNames: ['op'],
    registers: [this.registry],
  });
  private readonly groups = new Histogram({
    name: 'vcstore_group_size',
    help: 'writes to one sandbox acknowledged together (one group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  private readonly durable = new Histogram({
    name: 'vcstore_durable_write_seconds',
    help: 'time from a mutation request to its event being durable (append + fdatasync + projection)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'vcstore_errors_total',
    help: 'requests answered with an error, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly sandboxes = new Gauge({
    name: 'vcstore_open_sandboxes',
    help: 'sandboxes this daemon has written to since it started',
    registers: [this.registry],
  });
  private readonly followers = new Gauge({
    name: 'vcstore_followers',
    help: 'event streams open now',
    registers: [this.registry],
  });
  private readonly seen = new Set<string>();
  private readonly turn = new Map<string, number>();

  /** With `shipped`, the shipper's lag per sandbox, read from its cursors at each scrape (`serve --ship`). */
  constructor(shipped?: Roots) {
    collectDefaultMetrics({ register: this.registry, prefix: 'vcstore_process_' });
    if (shipped) shipLagGauges(this.registry, shipped);
  }

  written(event: JournalEvent, seconds: number): void {
    this.events.inc({ op: event.op });
    this.durable.observe(seconds);
    if (!this.seen.has(event.sandbox)) this.sandboxes.set(this.seen.add(event.sandbox).size);
    const count = this.turn.get(event.sandbox);
    this.turn.set(event.sandbox, (count ?? 0) + 1);
    if (count === undefined && this.turn.size === 1) setImmediate(() => this.closeTurn());
  }

  private closeTurn(): void {
    for (const size of this.turn.values()) this.groups.observe(size);
    this.turn.clear();
  }

  failed(code: ErrorCode): void {
    this.errors.inc({ code });
  }

  followerOpened(): void {
    this.followers.inc();
  }

  followerClosed(): void {
    this.followers.dec();
  }
}

function shipLagGauges(registry: Registry, roots: Roots): void {
  const stopped = new Gauge({
    name: 'vcstore_ship_stopped',
    help: 'sandboxes whose shipping stopped at a damaged record or a disagreeing stream',
    labelNames: ['sandbox'],
    registers: [registry],
  });
  new Gauge({
    name: 'vcstore_ship_lag_events',
    help: 'events of a sandbox not yet acknowledged by the stream',
    labelNames: ['sandbox'],
    registers: [registry],
    async collect() {
      this.reset();
      stopped.reset();
      for (const s of await shipStatus(roots)) {
        this.set({ sandbox: s.sandbox }, s.lag);
        stopped.set({ sandbox: s.sandbox }, s.error ? 1 : 0);
      }
    },
  });
}
