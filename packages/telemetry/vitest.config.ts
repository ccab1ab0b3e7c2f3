import { workspaceVitestConfig } from '../../vitest.shared.js';

export default workspaceVitestConfig('telemetry');
