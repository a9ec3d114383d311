import type { Adapter } from '@asynchttp/core';

/**
 * Every adapter the sample runs, by the name `--adapter` takes, in the order `all` runs them. Loaded
 * on use, so bad input is answered without loading three HTTP libraries first.
 */
export const adapters: Readonly<Record<string, () => Promise<Adapter>>> = {
  undici: async () => (await import('@asynchttp/undici')).undiciAdapter(),
  axios: async () => (await import('@asynchttp/axios')).axiosAdapter(),
  fetch: async () => (await import('@asynchttp/fetch')).fetchAdapter(),
};

export const adapterNames = Object.keys(adapters);
