import { testAdapter } from '@asynchttp/adapter-tests';
import { __FACTORY__ } from '../src/index.js';

testAdapter({
  name: '__NAME__',
  create: (options) => __FACTORY__({ ca: options?.tls?.ca }),
});
