export * from './principal.js';
export * from './errors.js';
export * from './verifier.js';
export * from './env.js';
