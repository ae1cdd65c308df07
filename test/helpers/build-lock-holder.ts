// Takes a data dir's index-build lock and says so; then waits to be killed, or exits at once
// without releasing it (`exit`), as a process that ends on an error would.
import { buildLock } from '../../src/corpus/build-lock.ts';
import { silentLog } from './silent-log.ts';

const [dataDir, leaseMs, then] = process.argv.slice(2);
const held = await buildLock(dataDir!, Number(leaseMs), silentLog).tryHold();
process.stdout.write(held ? 'HELD\n' : 'REFUSED\n');
if (then === 'exit') process.exit(0);
setInterval(() => {}, 60_000);
