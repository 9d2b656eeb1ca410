/**
 * The data of a report: what `vcstore report` inlines in its HTML and what
 * `/ui/data/<sandbox>` answers. Shared by the Node side that builds it and the
 * page that draws it, so it imports nothing but the type of a packed text.
 *
 * File contents are stored once per distinct text (`texts`) and paths once
 * each (`paths`); events refer to them by index, so a file stored ten
 * thousand times with the same bytes costs its bytes once. A text that
 * differs little from the file's previous version is stored as the edits
 * from it (`TextDelta`), so a file stored ten thousand times with a field
 * changing costs its bytes once and the field's each time.
 */
import type { TextDelta } from './text-delta.ts';

export interface ReportData {
  format: 1;
  sandbox: string;
  made: {
    /** when the report was made (UTC ISO 8601) */
    time: string;
    /** vcstore's version */
    version: string;
    /** where the history was read: `--root DIR` or `--from URL --host H` */
    from: string;
    /** the point the report stops at, when one was asked for (`--at`, `--time`) */
    until?: { seq?: number; time?: string };
  };
  /** the journal's head when the report was made (the whole journal, not only the part shown) */
  head: { seq: number; hash: string; time: string | null };
  verify: Verdict;
  /** distinct boot ids, referred to by index */
  boots: string[];
  /** distinct tree paths (`run/<sandbox>[/<container>]/<file>`, `config/…`) */
  paths: string[];
  /** distinct file contents, exactly as the legacy file held them, or as the edits from an earlier one */
  texts: Array<string | TextDelta>;
  /** indexes into `texts` holding base64 of bytes that are not UTF-8 (an adopted outside write) */
  binary: number[];
  events: EventRow[];
  /** damage and repairs found beside the journal, placed after the event they follow */
  findings: Finding[];
  /**
   * For a part of a history (the live view's updates): the first index of
   * `boots`, `paths` and `texts` this part holds; the earlier ones are the
   * receiver's already. 0 for a whole report.
   */
  base: { boots: number; paths: number; texts: number };
}

/** Who wrote what an event records. */
export type Source =
  /** vcstore itself, for a caller of the store */
  | 'vcstore'
  /** an outside write to the tree, seen by `watch` or a writer's drift check, and adopted as the state */
  | 'observed'
  /** an outside write seen and undone: the journal's content was written back over it */
  | 'restore'
  /** `vcstore import` adopting a tree the legacy runtime wrote */
  | 'import';

export const SOURCES: readonly Source[] = ['vcstore', 'observed', 'restore', 'import'];

/** One journal event as the report shows it. */
export interface EventRow {
  seq: number;
  time: string;
  op: 'create' | 'store' | 'delete' | 'reboot' | 'checkpoint' | 'observe';
  source: Source;
  pid: number;
  /** index into `boots` */
  boot: number;
  resource?: string;
  container?: string;
  containers?: string[];
  resources?: string[] | null;
  /** an observation's tree path, what it found, and whether the bytes parsed as the resource's type */
  path?: string;
  found?: string;
  parsed?: boolean;
  /** bytes of the payload (a store, or an observed file) */
  size?: number;
  /**
   * The files of the legacy tree this event changed: [path, before, after],
   * indexes into `paths` and `texts`, -1 where the file did not exist.
   */
  files: Array<[number, number, number]>;
  /** an observation's bytes, as found (index into `texts`), when it did not become the state (policy restore) */
  seen?: number;
}

/** Something about the journal that is not an event: a crash's or a repair's trace. */
export interface Finding {
  kind: 'torn' | 'cut' | 'damage' | 'lost';
  /** the event it follows (0: before the first) */
  after: number;
  text: string;
}

/** `vcstore verify` of the sandbox when the report was made. */
export interface Verdict {
  clean: boolean;
  /** what verify checked: the local journal and tree, or the chain and replay of the stream's copy */
  checked: 'journal and tree' | 'stream';
  problems: string[];
}

/** What the page is told to do: draw a report, or follow a daemon. */
export type PageConfig = { mode: 'report'; data: ReportData } | { mode: 'live' };
