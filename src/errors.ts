/**
 * An error caused by what the user asked for (bad id, bad option, unknown paper): its message is
 * shown as is, with no stack trace, and the CLI exits 2. Anything else is a runtime failure.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
