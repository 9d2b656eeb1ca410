import { JetStreamApiError } from '@nats-io/jetstream';
import {
  createInbox,
  headers,
  NoRespondersError,
  RequestError,
  TimeoutError,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

/** What JetStream answered to a publish: the message's stream sequence, and whether it was a duplicate. */
export interface PubAck {
  seq: number;
  duplicate: boolean;
}

/** One message to publish with JetStream's acknowledgement. */
export interface Publication {
  subject: string;
  body: Uint8Array;
  /** `Nats-Msg-Id`: a second message with this ID inside the duplicate window is dropped */
  msgID: string;
  /** `Nats-Expected-Last-Subject-Sequence`: the stream refuses the message unless its subject's last is this */
  lastSubjectSeq: number;
  /** further headers (the signature) */
  extra?: [name: string, value: string] | undefined;
}

interface Waiting {
  resolve(ack: PubAck): void;
  reject(err: Error): void;
  deadline: number;
}

/**
 * JetStream publishes with acknowledgements over one reply subscription:
 * what `js.publish` does, without a request object, two stack-capturing
 * errors and a timer per message. Each publish resolves with the stream's
 * acknowledgement, or rejects with the stream's refusal (a JetStreamApiError
 * carrying its `err_code` as `code`), no responders, or a timeout; a message
 * counts as stored only once its acknowledgement is in.
 */
export class AckedPublisher {
  readonly #nc: NatsConnection;
  readonly #timeoutMs: number;
  readonly #inbox: string;
  readonly #sub: Subscription;
  readonly #waiting = new Map<string, Waiting>();
  readonly #sweep: NodeJS.Timeout;
  #next = 0;

  constructor(nc: NatsConnection, timeoutMs: number) {
    this.#nc = nc;
    this.#timeoutMs = timeoutMs;
    this.#inbox = `${createInbox()}.`;
    this.#sub = nc.subscribe(`${this.#inbox}*`, { callback: (err, msg) => this.#answer(err, msg) });
    // One sweep for every deadline instead of a timer per message.
    this.#sweep = setInterval(() => this.#expire(), Math.max(10, Math.min(250, timeoutMs / 4)));
    this.#sweep.unref();
  }

  publish(p: Publication): Promise<PubAck> {
    const token = (this.#next++).toString(36);
    const h = headers();
    h.set('Nats-Msg-Id', p.msgID);
    h.set('Nats-Expected-Last-Subject-Sequence', String(p.lastSubjectSeq));
    if (p.extra !== undefined) h.set(p.extra[0], p.extra[1]);
    return new Promise<PubAck>((resolve, reject) => {
      this.#waiting.set(token, { resolve, reject, deadline: Date.now() + this.#timeoutMs });
      try {
        this.#nc.publish(p.subject, p.body, { reply: this.#inbox + token, headers: h });
      } catch (err) {
        this.#waiting.delete(token);
        reject(err instanceof Error ? err : new RequestError(String(err)));
      }
    });
  }

  /** Ends the subscription; publishes still waiting are refused. */
  close(): void {
    clearInterval(this.#sweep);
    this.#sub.unsubscribe();
    for (const w of this.#waiting.values()) w.reject(new RequestError('publisher closed'));
    this.#waiting.clear();
  }

  #answer(err: Error | null, msg: Msg): void {
    if (err !== null) return; // the subscription itself failed: every waiting publish times out
    const token = msg.subject.slice(this.#inbox.length);
    const w = this.#waiting.get(token);
    if (w === undefined) return; // answered after its deadline
    this.#waiting.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      w.reject(new RequestError('no responders', { cause: new NoRespondersError(msg.subject) }));
      return;
    }
    let v: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: ConstructorParameters<typeof JetStreamApiError>[0];
    };
    try {
      v = msg.json();
    } catch (e) {
      w.reject(new RequestError('invalid acknowledgement', { cause: e }));
      return;
    }
    if (v.error !== undefined) w.reject(new JetStreamApiError(v.error));
    else if (typeof v.seq !== 'number' || !v.stream) w.reject(new RequestError('invalid acknowledgement'));
    else w.resolve({ seq: v.seq, duplicate: v.duplicate === true });
  }

  #expire(): void {
    const now = Date.now();
    // In insertion order, and every deadline is the same span after its publish: the expired ones come first.
    for (const [token, w] of this.#waiting) {
      if (w.deadline > now) return;
      this.#waiting.delete(token);
      w.reject(new TimeoutError());
    }
  }
}
