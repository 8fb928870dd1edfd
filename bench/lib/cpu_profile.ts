/**
 * Records a V8 CPU profile of one step through the inspector (the same format as `node --cpu-prof`), so that the
 * profile holds that step alone and not the data generation and the other steps around it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Session } from 'node:inspector/promises';

/** Runs `fn` under the CPU profiler and writes the profile to `file` (open it in Chrome DevTools or with profile_summary.ts). */
export async function withCpuProfile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 1 ms sampling as --cpu-prof-interval 1000 would give: fine enough for per-batch work, small enough to not skew it.
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}
