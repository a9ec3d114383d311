import { axiosAdapter } from '@asynchttp/axios';
import type { Adapter } from '@asynchttp/core';
import { fetchAdapter } from '@asynchttp/fetch';
import { undiciAdapter } from '@asynchttp/undici';

/** Every adapter the sample runs, by the name `--adapter` takes, in the order `all` runs them. */
export const adapters: Readonly<Record<string, () => Adapter>> = {
  undici: () => undiciAdapter(),
  axios: () => axiosAdapter(),
  fetch: () => fetchAdapter(),
};

export const adapterNames = Object.keys(adapters);
