import { connectionType } from '../common/connection.js';
import { Study } from './study.entity.js';

export const StudyConnection = connectionType(Study, 'Study');
