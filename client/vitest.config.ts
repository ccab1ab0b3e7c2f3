import { workspaceVitestConfig } from '../vitest.shared.ts';

// Unit tests of the app's pure logic (feed merging, filters, viewer math, upload queue): Node is enough.
export default workspaceVitestConfig('client', { include: ['src/**/*.test.ts'] });
