export * from './live.js';
export * from './api-ws.js';
export * from './api-rest.js';
