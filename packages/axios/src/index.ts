export { type AxiosAdapterOptions, axiosAdapter } from './axios-adapter.js';
