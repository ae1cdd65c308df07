// Takes a data dir's index-build lock and says so; then waits to be killed, or exits at once
// without releasing it (`exit`), as a process that ends on an error would. Its warnings (a lock
// it lost) go to stdout too.
import pino from 'pino';
import { buildLock } from '../../src/corpus/build-lock.ts';

const [dataDir, leaseMs, then] = process.argv.slice(2);
const log = pino({ level: 'warn', base: null, timestamp: false }, process.stdout);
const held = await buildLock(dataDir!, Number(leaseMs), log).tryHold();
process.stdout.write(held ? 'HELD\n' : 'REFUSED\n');
if (then === 'exit') process.exit(0);
setInterval(() => {}, 60_000);
