export * from './keys.js';
export * from './spec.js';
export * from './load.js';
export * from './file.js';
export * from './logger.js';
export * from './doc.js';
