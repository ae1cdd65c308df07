import hnswlib from 'hnswlib-node';
import { readdirSync } from 'node:fs';
const dir = process.argv[2];
const files = readdirSync(dir).filter((d) => d.startsWith('shard-')).map((d) => `${dir}/${d}/` + readdirSync(`${dir}/${d}`).find((f) => f.endsWith('.bin')));
const c0 = process.cpuUsage(); const t0 = performance.now();
if (process.argv[3] === 'seq') for (const f of files) await new hnswlib.HierarchicalNSW('cosine', 512).readIndex(f);
else await Promise.all(files.map((f) => new hnswlib.HierarchicalNSW('cosine', 512).readIndex(f)));
const c = process.cpuUsage(c0);
console.log(process.argv[3] ?? 'par', files.length, 'shards', (performance.now() - t0).toFixed(0), 'ms wall', ((c.user + c.system) / 1000).toFixed(0), 'ms cpu', (process.memoryUsage().rss / 2 ** 20).toFixed(0), 'MB rss');
