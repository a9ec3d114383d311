// The transit parsers as a ThreadPool module (`--threads`): each export runs in a worker thread with
// `{ response, content }` and returns plain data, which becomes the request's data on the main thread.
export { parseAgencies, parseRouteDetail, parseRoutes } from './transit-parse.js';
