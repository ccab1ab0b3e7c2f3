import { workspaceVitestConfig } from '../vitest.shared.js';

export default workspaceVitestConfig('deploy', { testTimeout: 120_000 });
