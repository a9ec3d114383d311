import { testBehaviour } from '@asynchttp/adapter-tests';
import { undiciAdapter } from '../src/index.js';

testBehaviour({ name: 'undici', create: () => undiciAdapter() });
