export declare function hugePagesEnv(
  args: readonly string[],
  env: Record<string, string | undefined>,
  platform?: NodeJS.Platform,
): Record<string, string | undefined> | undefined;
export declare function runChild(script: string, args: readonly string[], env: Record<string, string | undefined>): Promise<number>;
