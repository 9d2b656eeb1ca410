import { errUsage } from '../errors.ts';
import { replayJournal, type Replay, type ReplayOptions, type ReplayPoint } from '../projector/replay.ts';

export type StateAt = Replay;

/**
 * The legacy tree as it was right after event `seq`, or after the last event
 * at or before `time`; the whole journal when no point is given. A `seq` the
 * journal does not reach is refused (EUSAGE), so a typo does not silently
 * show the present.
 */
export async function stateAt(file: string, point: ReplayPoint = {}, opts: ReplayOptions = {}): Promise<StateAt> {
  const state = await replayJournal(file, point, opts);
  const seq = state.last?.seq ?? 0;
  if (point.seq !== undefined && point.seq !== seq) {
    throw errUsage(`${file}: there is no event ${point.seq}; the journal ends at ${seq}`, {
      file,
      seq,
    });
  }
  return state;
}
