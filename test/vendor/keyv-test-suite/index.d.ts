import KeyvModule, { KeyvStoreAdapter, CompressionAdapter } from 'keyv';
import * as Vitest from 'vitest';

type KeyvStoreFn = () => KeyvStoreAdapter | any;

declare const keyvApiTests: (test: typeof Vitest, Keyv: typeof KeyvModule, store: KeyvStoreFn) => void;

declare const keyvCompressionTests: (test: typeof Vitest, compression: CompressionAdapter) => void;

declare function delay(ms: number): Promise<void>;

declare const keyvIteratorTests: (test: typeof Vitest, Keyv: typeof KeyvModule, store: KeyvStoreFn) => void;

declare const keyvNamespaceTests: (test: typeof Vitest, Keyv: typeof KeyvModule, store: KeyvStoreFn) => void;

declare const keyvValueTests: (test: typeof Vitest, Keyv: typeof KeyvModule, store: KeyvStoreFn) => void;

declare const keyvTestSuite: (test: typeof Vitest, Keyv: typeof KeyvModule, store: KeyvStoreFn) => void;

export { keyvTestSuite as default, delay, keyvApiTests, keyvCompressionTests as keyvCompresstionTests, keyvIteratorTests, keyvNamespaceTests as keyvNamespaceTest, keyvValueTests };
