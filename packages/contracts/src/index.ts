export * from './topology.js';
export * from './events.js';
