import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/**
 * Profiles only `fn`, not module loading or set-up, into a .cpuprofile file
 * (the format `node --cpu-prof` writes; Chrome DevTools and
 * profile-summary.ts read it).
 */
export async function cpuProfile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 }); // µs: finer than --cpu-prof's 1000, cheap enough
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}
