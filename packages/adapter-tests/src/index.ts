export { type TestBehaviourOptions, testBehaviour } from './behaviour/suite.js';
export { type AdapterCase, adapterCases } from './cases.js';
export { type CertificateFixture, type Fixtures, fixtures } from './fixtures.js';
export { type TestStreamingMemoryOptions, testStreamingMemory } from './memory.js';
export { type AdapterTestOptions, type TestAdapterOptions, testAdapter } from './suite.js';
