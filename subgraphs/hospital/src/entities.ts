import { DeidentificationJob } from './deidentify/deidentification-job.entity.js';
import { OutboxEvent } from './outbox/outbox-event.entity.js';
import { Patient } from './patient/patient.entity.js';
import { StudyPrediction } from './prediction/study-prediction.entity.js';
import { Review } from './review/review.entity.js';
import { StudyImage } from './study/study-image.entity.js';
import { StudyOriginal } from './study/study-original.entity.js';
import { Study } from './study/study.entity.js';
import { StudyUpload } from './upload/study-upload.entity.js';

/** Every entity and embeddable, listed explicitly (no folder discovery). */
export const entities = [Patient, Study, StudyImage, StudyOriginal, StudyUpload, Review, DeidentificationJob, StudyPrediction, OutboxEvent];
