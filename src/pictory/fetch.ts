// Entry point of the separately bundled HTTP client, loaded on first use (see http.ts).
export { default as fetch } from 'node-fetch';
