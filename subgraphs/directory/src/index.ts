export { createServer, type DirectoryServer, type DirectoryServerDeps } from './server.js';
export { directoryEnvSchema, parseDirectoryConfig, loadDirectoryConfig, type DirectoryConfig } from './env.js';
export { seedDemoDirectory, type SeedOptions, type SeedResult, type DemoHospital } from './seed.js';
export { publishHospitals, DIRECTORY_HOSPITALS_KEY } from './hospital/hospital.publisher.js';
export { openDirectoryOrm } from './database.js';
export { TokenIssuer } from './auth/token-issuer.js';
