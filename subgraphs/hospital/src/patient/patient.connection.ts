import { connectionType } from '../common/connection.js';
import { Patient } from './patient.entity.js';

export const PatientConnection = connectionType(Patient, 'Patient');
