import { testStreamingMemory } from '@asynchttp/adapter-tests';

// The built adapter, in a child process: its RSS must stay flat while the body streams through.
testStreamingMemory({
  name: 'axios',
  entry: { module: new URL('../dist/index.js', import.meta.url), factory: 'axiosAdapter' },
  mebibytes: 128,
});
