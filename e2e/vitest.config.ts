import { workspaceVitestConfig } from '../vitest.shared.js';

export default workspaceVitestConfig('e2e', { testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false });
