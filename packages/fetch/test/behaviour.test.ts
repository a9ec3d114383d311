import { testBehaviour } from '@asynchttp/adapter-tests';
import { fetchAdapter } from '../src/index.js';

testBehaviour({ name: 'fetch', create: () => fetchAdapter() });
