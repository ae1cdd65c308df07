export declare const GLOBAL_OPTIONS_WITH_VALUE: readonly string[];
export declare function commandOf(args: readonly string[]): string | undefined;
