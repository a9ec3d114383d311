// The known-name lists in options.ts must name every option of the interfaces, so that adding an
// option to HttpOptions or RequestOptions without listing it fails here instead of being refused
// at run time as unknown.
import { expectTypeOf, test } from 'vitest';
import type { HttpOptions, httpOptionNames, RequestOptions, requestOptionNames } from '../src/options.js';

test('httpOptionNames lists every HttpOptions key', () => {
  expectTypeOf<Exclude<keyof HttpOptions, (typeof httpOptionNames)[number]>>().toEqualTypeOf<never>();
});

test('requestOptionNames lists every RequestOptions key', () => {
  expectTypeOf<
    Exclude<keyof RequestOptions<unknown>, (typeof requestOptionNames)[number]>
  >().toEqualTypeOf<never>();
});
