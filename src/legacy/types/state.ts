/** State (state.json) and Process (process.json), as in types.md. */
import { bool, goStruct, int, str, time } from './primitives.ts';

// the only persisted type with json tags
export const State = goStruct('virtcontainers.State', {
  state: str('virtcontainers.stateString'),
  blockIndex: int(),
  fstype: str(),
  hotpluggedDrive: bool(),
});

export const Process = goStruct('virtcontainers.Process', { Token: str(), Pid: int(), StartTime: time() });
