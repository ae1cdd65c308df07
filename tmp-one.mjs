import hnswlib from 'hnswlib-node';
const c0 = process.cpuUsage(); const t0 = performance.now();
const h = new hnswlib.HierarchicalNSW('cosine', 512);
if (process.argv[3] === 'sync') h.readIndexSync(process.argv[2]); else await h.readIndex(process.argv[2]);
const c = process.cpuUsage(c0);
console.log((performance.now() - t0).toFixed(0), 'ms wall', (c.user / 1000).toFixed(0), 'user', (c.system / 1000).toFixed(0), 'sys');
