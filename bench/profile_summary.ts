/**
 * `tsx bench/profile_summary.ts <file.cpuprofile> [top]`: prints where the time of a `node --cpu-prof` profile
 * went: self time by function, self time by source area (our copier, the harness server, the driver, bson, node
 * internals), and total (inclusive) time of the functions that matter most.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the process a source URL belongs to. */
function areaOf(url: string, name: string): string {
  if (url.includes('/src/copy/')) return 'tool: src/copy';
  if (url.includes('/src/')) return 'tool: src (other)';
  if (url.includes('/test/harness/bson/')) return 'server: harness bson';
  if (url.includes('/test/harness/engine/')) return 'server: harness engine';
  if (url.includes('/test/harness/')) return 'server: harness wire/commands';
  if (url.includes('node_modules/bson/')) return 'bson library';
  if (url.includes('node_modules/mongodb/')) return 'driver (mongodb)';
  if (url.includes('node_modules/sorted-btree/')) return 'sorted-btree';
  if (url.includes('node_modules/')) return `node_modules: ${url.split('node_modules/')[1]?.split('/')[0]}`;
  if (url.startsWith('node:')) return 'node internals';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(idle)' || name === '(program)') return name;
  return url ? 'other' : `native ${name || '(anonymous)'}`;
}

function shortUrl(url: string): string {
  const i = url.indexOf('/work/main/');
  return (i >= 0 ? url.slice(i + '/work/main/'.length) : url).replace(/^file:\/\//, '');
}

const [file, topText] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile_summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topText ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
let totalUs = 0;
for (const v of selfUs.values()) totalUs += v;

const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const selfByFunction = new Map<string, number>();
const selfByArea = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  selfByFunction.set(key(n), (selfByFunction.get(key(n)) ?? 0) + us);
  const area = areaOf(n.callFrame.url, n.callFrame.functionName);
  selfByArea.set(area, (selfByArea.get(area) ?? 0) + us);
  // Inclusive time: each distinct function on the stack once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}

const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const print = (title: string, entries: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...entries].sort((x, y) => y[1] - x[1]).slice(0, n)) console.log(`${pct(us)} ${ms(us)}  ${k}`);
};
console.log(`profile ${file}: ${(totalUs / 1e6).toFixed(2)} s sampled`);
print('self time by area', selfByArea, 20);
print(`self time by function (top ${top})`, selfByFunction, top);
print(`inclusive time by function (top ${top}, idle excluded)`, new Map([...inclusive].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)'))), top);
