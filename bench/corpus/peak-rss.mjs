// Preloaded into a measured CLI process (`node --import <this> bin/paperfeed.js …`): at exit it
// writes the process's peak resident set (worker threads included) as one line to stderr, where
// the corpus bench reads it. Exact, unlike polling /proc, and the CLI itself is untouched.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\ncorpusbench peak-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
