import { runCreateBench } from './create-bench';

// Where a creation bench phase spends its time: the Bynder request starts' timeline, with the time
// before the first request, after the last, and the idle gaps between (beyond one budget slot).
const SLOT_MS = 102;
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
void runCreateBench({
  small: arg('small', 0),
  large: arg('large', 20),
  progress: (line) => process.stderr.write(`${line}\n`),
  timeline: ({ label, startedAt, endedAt, requests }) => {
    const at = requests.map((r) => r.at).sort((a, b) => a - b);
    const total = (endedAt - startedAt) / 1000;
    const first = at[0] ?? endedAt;
    const last = at.at(-1) ?? endedAt;
    const tenths = Array.from({ length: 10 }, () => 0);
    for (let i = 1; i < at.length; i += 1) {
      const gap = (at[i] ?? 0) - (at[i - 1] ?? 0);
      const tenth = Math.min(9, Math.floor((((at[i - 1] ?? 0) - startedAt) / (endedAt - startedAt)) * 10));
      if (gap > SLOT_MS) tenths[tenth] = (tenths[tenth] ?? 0) + gap - SLOT_MS;
    }
    const routes = new Map<string, number>();
    const tail = requests.filter((r) => r.at > last - 4000);
    for (const r of tail) routes.set(r.route, (routes.get(r.route) ?? 0) + 1);
    process.stderr.write(
      `${label}: ${total.toFixed(1)} s; first request at ${((first - startedAt) / 1000).toFixed(2)} s; ` +
        `after last ${((endedAt - last) / 1000).toFixed(2)} s; idle beyond a slot per tenth (s): ` +
        `${tenths.map((t) => (t / 1000).toFixed(2)).join(' ')}\n  last 4 s: ${[...routes].map(([r, n]) => `${r} ${n}`).join(', ')}\n`,
    );
    const head = requests.filter((r) => r.at < first + 3000).map((r) => `${r.at - startedAt} ${r.route}`);
    process.stderr.write(`  first 3 s: ${head.join('; ')}\n`);
    const tailFrom = Number(process.env.TAIL_MS ?? 4000);
    const end = requests
      .filter((r) => r.at > last - tailFrom)
      .map((r) => `${r.at - startedAt} ${r.method} ${r.path.slice(0, 40)} ${r.status}`);
    process.stderr.write(`  tail:\n    ${end.join('\n    ')}\n`);
  },
});
