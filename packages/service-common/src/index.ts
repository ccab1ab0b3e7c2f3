export * from './database.js';
export * from './metrics.js';
export * from './http-service.js';
export * from './batch-writer.js';
export * from './consumer-service-cli.js';
