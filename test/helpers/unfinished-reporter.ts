// Names the test file and test a crashed run was in. When a vitest fork dies (a native crash, an
// abort), vitest reports only "Worker exited unexpectedly", without the file; CI logs are read
// from their tail, so this prints, last, every file that started and never finished.
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export default class UnfinishedReporter implements Reporter {
  private readonly running = new Map<string, string>();

  onTestModuleStart(module: TestModule): void {
    this.running.set(module.moduleId, 'none reported');
  }

  // Vitest may deliver a module's test events after its end (seen: a file that passed whole was
  // named here): only a module still running is updated.
  onTestCaseReady(test: TestCase): void {
    if (this.running.has(test.module.moduleId)) this.running.set(test.module.moduleId, test.fullName);
  }

  onTestModuleEnd(module: TestModule): void {
    this.running.delete(module.moduleId);
  }

  onTestRunEnd(): void {
    for (const [file, test] of this.running) {
      process.stderr.write(`never finished: ${file}, last test reported as started: ${test}\n`);
    }
  }
}
