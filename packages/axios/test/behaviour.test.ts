import { testBehaviour } from '@asynchttp/adapter-tests';
import { axiosAdapter } from '../src/index.js';

testBehaviour({ name: 'axios', create: () => axiosAdapter() });
