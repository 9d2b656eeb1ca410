import { Option } from 'commander';
import { DRIFT_POLICIES } from '../store/drift.ts';

/** `--on-drift`, for every command that writes: what to do with an outside write found in the tree (it is recorded first either way). */
export const onDriftOption = (fallback: 'restore' | 'adopt' = 'restore') =>
  new Option(
    '--on-drift <policy>',
    'a legacy file found differing from the journal is recorded, then: restore (write the journal back) or adopt (keep it)',
  )
    .choices(DRIFT_POLICIES)
    .default(fallback);
