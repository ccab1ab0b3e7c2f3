/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment SessionUser on Me {\n    id\n    email\n    displayName\n    roles\n    memberships {\n      role\n      hospital {\n        id\n        name\n        slug\n      }\n    }\n  }\n": typeof types.SessionUserFragmentDoc,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Me {\n    me {\n      ...SessionUser\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment ModelVersionFields on ModelVersion {\n    version\n    status\n    threshold\n    publishedAt\n    publishedBy\n    trainingDataSha256\n    metrics {\n      split\n      n\n      auc\n      accuracy\n      sensitivity\n      specificity\n      f1\n      ece\n    }\n  }\n": typeof types.ModelVersionFieldsFragmentDoc,
    "\n  query ResearchPage {\n    researchSummary {\n      total\n      byFinding {\n        finding\n        count\n      }\n      byHospital {\n        hospitalId\n        count\n        pneumonia\n        normal\n        uncertain\n      }\n      byModelVersion {\n        modelVersion\n        count\n      }\n    }\n    labeledExampleGrowth(bucket: DAY) {\n      bucketStart\n      added\n      total\n    }\n    modelAgreement(bucket: DAY) {\n      modelVersion\n      bucketStart\n      n\n      auc\n      sensitivity\n      specificity\n    }\n    overallAgreement: modelAgreement {\n      modelVersion\n      n\n      positives\n      negatives\n      auc\n      sensitivity\n      specificity\n      accuracy\n    }\n    models {\n      ...ModelVersionFields\n    }\n    datasets {\n      id\n      version\n      name\n      contentHash\n      exampleCount\n      skippedCount\n      imageSize\n      createdAt\n      labelCounts {\n        pneumonia\n        normal\n      }\n      splitCounts {\n        train\n        val\n        test\n      }\n      exports {\n        format\n        sha256\n        bytes\n        downloadPath\n      }\n    }\n  }\n": typeof types.ResearchPageDocument,
    "\n  query HospitalNames {\n    hospitals {\n      id\n      name\n    }\n  }\n": typeof types.HospitalNamesDocument,
    "\n  mutation ActivateModel($version: String!) {\n    activateModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n": typeof types.ActivateModelDocument,
    "\n  mutation ShadowModel($version: String!) {\n    shadowModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n": typeof types.ShadowModelDocument,
    "\n  mutation ClearShadow {\n    clearShadow {\n      ...ModelVersionFields\n    }\n  }\n": typeof types.ClearShadowDocument,
    "\n  mutation RollbackModel {\n    rollbackModel {\n      ...ModelVersionFields\n    }\n  }\n": typeof types.RollbackModelDocument,
    "\n  fragment PredictionFields on Prediction {\n    id\n    modelVersion\n    risk\n    label\n    threshold\n    createdAt\n  }\n": typeof types.PredictionFieldsFragmentDoc,
    "\n  query StudyPage($hospitalId: ID!, $id: ID!) {\n    hospital(id: $hospitalId) {\n      id\n      name\n    }\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      accessionNumber\n      modality\n      bodyPart\n      acquiredAt\n      status\n      image {\n        contentType\n        width\n        height\n      }\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        ...PredictionFields\n      }\n      predictions {\n        ...PredictionFields\n      }\n      triage {\n        status\n        priority\n        risk\n        updatedAt\n      }\n    }\n  }\n": typeof types.StudyPageDocument,
    "\n  fragment ReviewFields on Review {\n    id\n    finding\n    notes\n    reviewedAt\n    reviewerName\n  }\n": typeof types.ReviewFieldsFragmentDoc,
    "\n  query StudyReviews($hospitalId: ID!, $id: ID!) {\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n": typeof types.StudyReviewsDocument,
    "\n  mutation RecordReview($hospitalId: ID!, $studyId: ID!, $finding: ReviewFinding!, $notes: String) {\n    recordReview(hospitalId: $hospitalId, studyId: $studyId, finding: $finding, notes: $notes) {\n      ...ReviewFields\n    }\n  }\n": typeof types.RecordReviewDocument,
    "\n  subscription StudyUpdated($hospitalId: ID!, $id: ID!) {\n    studyUpdated(hospitalId: $hospitalId, id: $id) {\n      cursor\n      item {\n        id\n        status\n        priority\n        risk\n        modelVersion\n        updatedAt\n      }\n    }\n  }\n": typeof types.StudyUpdatedDocument,
    "\n  fragment PatientFields on Patient {\n    id\n    hospitalId\n    name\n    mrn\n    birthDate\n    sex\n  }\n": typeof types.PatientFieldsFragmentDoc,
    "\n  query PatientSearch($hospitalId: ID!, $first: Int!, $filter: PatientFilter) {\n    patients(hospitalId: $hospitalId, first: $first, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          ...PatientFields\n        }\n      }\n    }\n  }\n": typeof types.PatientSearchDocument,
    "\n  mutation CreatePatient($hospitalId: ID!, $input: CreatePatientInput!) {\n    createPatient(hospitalId: $hospitalId, input: $input) {\n      ...PatientFields\n    }\n  }\n": typeof types.CreatePatientDocument,
    "\n  mutation CreateStudyUpload($hospitalId: ID!, $input: CreateStudyUploadInput!) {\n    createStudyUpload(hospitalId: $hospitalId, input: $input) {\n      uploadUrl\n      expiresAt\n      study {\n        id\n        hospitalId\n        accessionNumber\n      }\n    }\n  }\n": typeof types.CreateStudyUploadDocument,
    "\n  fragment WorklistItemFields on WorklistItem {\n    id\n    hospitalId\n    status\n    priority\n    risk\n    modelVersion\n    receivedAt\n    updatedAt\n    hospital {\n      id\n      name\n    }\n    study {\n      id\n      hospitalId\n      accessionNumber\n      acquiredAt\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        modelVersion\n        risk\n        label\n        threshold\n      }\n    }\n  }\n": typeof types.WorklistItemFieldsFragmentDoc,
    "\n  query Worklist($first: Int!, $after: String, $hospitalIds: [ID!], $minRisk: Float, $status: [TriageStatus!]) {\n    worklist(first: $first, after: $after, hospitalIds: $hospitalIds, minRisk: $minRisk, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        node {\n          ...WorklistItemFields\n        }\n      }\n    }\n  }\n": typeof types.WorklistDocument,
    "\n  subscription TriageFeed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {\n    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {\n      cursor\n      item {\n        ...WorklistItemFields\n      }\n    }\n  }\n": typeof types.TriageFeedDocument,
};
const documents: Documents = {
    "\n  fragment SessionUser on Me {\n    id\n    email\n    displayName\n    roles\n    memberships {\n      role\n      hospital {\n        id\n        name\n        slug\n      }\n    }\n  }\n": types.SessionUserFragmentDoc,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  query Me {\n    me {\n      ...SessionUser\n    }\n  }\n": types.MeDocument,
    "\n  fragment ModelVersionFields on ModelVersion {\n    version\n    status\n    threshold\n    publishedAt\n    publishedBy\n    trainingDataSha256\n    metrics {\n      split\n      n\n      auc\n      accuracy\n      sensitivity\n      specificity\n      f1\n      ece\n    }\n  }\n": types.ModelVersionFieldsFragmentDoc,
    "\n  query ResearchPage {\n    researchSummary {\n      total\n      byFinding {\n        finding\n        count\n      }\n      byHospital {\n        hospitalId\n        count\n        pneumonia\n        normal\n        uncertain\n      }\n      byModelVersion {\n        modelVersion\n        count\n      }\n    }\n    labeledExampleGrowth(bucket: DAY) {\n      bucketStart\n      added\n      total\n    }\n    modelAgreement(bucket: DAY) {\n      modelVersion\n      bucketStart\n      n\n      auc\n      sensitivity\n      specificity\n    }\n    overallAgreement: modelAgreement {\n      modelVersion\n      n\n      positives\n      negatives\n      auc\n      sensitivity\n      specificity\n      accuracy\n    }\n    models {\n      ...ModelVersionFields\n    }\n    datasets {\n      id\n      version\n      name\n      contentHash\n      exampleCount\n      skippedCount\n      imageSize\n      createdAt\n      labelCounts {\n        pneumonia\n        normal\n      }\n      splitCounts {\n        train\n        val\n        test\n      }\n      exports {\n        format\n        sha256\n        bytes\n        downloadPath\n      }\n    }\n  }\n": types.ResearchPageDocument,
    "\n  query HospitalNames {\n    hospitals {\n      id\n      name\n    }\n  }\n": types.HospitalNamesDocument,
    "\n  mutation ActivateModel($version: String!) {\n    activateModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n": types.ActivateModelDocument,
    "\n  mutation ShadowModel($version: String!) {\n    shadowModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n": types.ShadowModelDocument,
    "\n  mutation ClearShadow {\n    clearShadow {\n      ...ModelVersionFields\n    }\n  }\n": types.ClearShadowDocument,
    "\n  mutation RollbackModel {\n    rollbackModel {\n      ...ModelVersionFields\n    }\n  }\n": types.RollbackModelDocument,
    "\n  fragment PredictionFields on Prediction {\n    id\n    modelVersion\n    risk\n    label\n    threshold\n    createdAt\n  }\n": types.PredictionFieldsFragmentDoc,
    "\n  query StudyPage($hospitalId: ID!, $id: ID!) {\n    hospital(id: $hospitalId) {\n      id\n      name\n    }\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      accessionNumber\n      modality\n      bodyPart\n      acquiredAt\n      status\n      image {\n        contentType\n        width\n        height\n      }\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        ...PredictionFields\n      }\n      predictions {\n        ...PredictionFields\n      }\n      triage {\n        status\n        priority\n        risk\n        updatedAt\n      }\n    }\n  }\n": types.StudyPageDocument,
    "\n  fragment ReviewFields on Review {\n    id\n    finding\n    notes\n    reviewedAt\n    reviewerName\n  }\n": types.ReviewFieldsFragmentDoc,
    "\n  query StudyReviews($hospitalId: ID!, $id: ID!) {\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n": types.StudyReviewsDocument,
    "\n  mutation RecordReview($hospitalId: ID!, $studyId: ID!, $finding: ReviewFinding!, $notes: String) {\n    recordReview(hospitalId: $hospitalId, studyId: $studyId, finding: $finding, notes: $notes) {\n      ...ReviewFields\n    }\n  }\n": types.RecordReviewDocument,
    "\n  subscription StudyUpdated($hospitalId: ID!, $id: ID!) {\n    studyUpdated(hospitalId: $hospitalId, id: $id) {\n      cursor\n      item {\n        id\n        status\n        priority\n        risk\n        modelVersion\n        updatedAt\n      }\n    }\n  }\n": types.StudyUpdatedDocument,
    "\n  fragment PatientFields on Patient {\n    id\n    hospitalId\n    name\n    mrn\n    birthDate\n    sex\n  }\n": types.PatientFieldsFragmentDoc,
    "\n  query PatientSearch($hospitalId: ID!, $first: Int!, $filter: PatientFilter) {\n    patients(hospitalId: $hospitalId, first: $first, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          ...PatientFields\n        }\n      }\n    }\n  }\n": types.PatientSearchDocument,
    "\n  mutation CreatePatient($hospitalId: ID!, $input: CreatePatientInput!) {\n    createPatient(hospitalId: $hospitalId, input: $input) {\n      ...PatientFields\n    }\n  }\n": types.CreatePatientDocument,
    "\n  mutation CreateStudyUpload($hospitalId: ID!, $input: CreateStudyUploadInput!) {\n    createStudyUpload(hospitalId: $hospitalId, input: $input) {\n      uploadUrl\n      expiresAt\n      study {\n        id\n        hospitalId\n        accessionNumber\n      }\n    }\n  }\n": types.CreateStudyUploadDocument,
    "\n  fragment WorklistItemFields on WorklistItem {\n    id\n    hospitalId\n    status\n    priority\n    risk\n    modelVersion\n    receivedAt\n    updatedAt\n    hospital {\n      id\n      name\n    }\n    study {\n      id\n      hospitalId\n      accessionNumber\n      acquiredAt\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        modelVersion\n        risk\n        label\n        threshold\n      }\n    }\n  }\n": types.WorklistItemFieldsFragmentDoc,
    "\n  query Worklist($first: Int!, $after: String, $hospitalIds: [ID!], $minRisk: Float, $status: [TriageStatus!]) {\n    worklist(first: $first, after: $after, hospitalIds: $hospitalIds, minRisk: $minRisk, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        node {\n          ...WorklistItemFields\n        }\n      }\n    }\n  }\n": types.WorklistDocument,
    "\n  subscription TriageFeed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {\n    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {\n      cursor\n      item {\n        ...WorklistItemFields\n      }\n    }\n  }\n": types.TriageFeedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionUser on Me {\n    id\n    email\n    displayName\n    roles\n    memberships {\n      role\n      hospital {\n        id\n        name\n        slug\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment SessionUser on Me {\n    id\n    email\n    displayName\n    roles\n    memberships {\n      role\n      hospital {\n        id\n        name\n        slug\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...SessionUser\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...SessionUser\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ModelVersionFields on ModelVersion {\n    version\n    status\n    threshold\n    publishedAt\n    publishedBy\n    trainingDataSha256\n    metrics {\n      split\n      n\n      auc\n      accuracy\n      sensitivity\n      specificity\n      f1\n      ece\n    }\n  }\n"): (typeof documents)["\n  fragment ModelVersionFields on ModelVersion {\n    version\n    status\n    threshold\n    publishedAt\n    publishedBy\n    trainingDataSha256\n    metrics {\n      split\n      n\n      auc\n      accuracy\n      sensitivity\n      specificity\n      f1\n      ece\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResearchPage {\n    researchSummary {\n      total\n      byFinding {\n        finding\n        count\n      }\n      byHospital {\n        hospitalId\n        count\n        pneumonia\n        normal\n        uncertain\n      }\n      byModelVersion {\n        modelVersion\n        count\n      }\n    }\n    labeledExampleGrowth(bucket: DAY) {\n      bucketStart\n      added\n      total\n    }\n    modelAgreement(bucket: DAY) {\n      modelVersion\n      bucketStart\n      n\n      auc\n      sensitivity\n      specificity\n    }\n    overallAgreement: modelAgreement {\n      modelVersion\n      n\n      positives\n      negatives\n      auc\n      sensitivity\n      specificity\n      accuracy\n    }\n    models {\n      ...ModelVersionFields\n    }\n    datasets {\n      id\n      version\n      name\n      contentHash\n      exampleCount\n      skippedCount\n      imageSize\n      createdAt\n      labelCounts {\n        pneumonia\n        normal\n      }\n      splitCounts {\n        train\n        val\n        test\n      }\n      exports {\n        format\n        sha256\n        bytes\n        downloadPath\n      }\n    }\n  }\n"): (typeof documents)["\n  query ResearchPage {\n    researchSummary {\n      total\n      byFinding {\n        finding\n        count\n      }\n      byHospital {\n        hospitalId\n        count\n        pneumonia\n        normal\n        uncertain\n      }\n      byModelVersion {\n        modelVersion\n        count\n      }\n    }\n    labeledExampleGrowth(bucket: DAY) {\n      bucketStart\n      added\n      total\n    }\n    modelAgreement(bucket: DAY) {\n      modelVersion\n      bucketStart\n      n\n      auc\n      sensitivity\n      specificity\n    }\n    overallAgreement: modelAgreement {\n      modelVersion\n      n\n      positives\n      negatives\n      auc\n      sensitivity\n      specificity\n      accuracy\n    }\n    models {\n      ...ModelVersionFields\n    }\n    datasets {\n      id\n      version\n      name\n      contentHash\n      exampleCount\n      skippedCount\n      imageSize\n      createdAt\n      labelCounts {\n        pneumonia\n        normal\n      }\n      splitCounts {\n        train\n        val\n        test\n      }\n      exports {\n        format\n        sha256\n        bytes\n        downloadPath\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HospitalNames {\n    hospitals {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query HospitalNames {\n    hospitals {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ActivateModel($version: String!) {\n    activateModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n"): (typeof documents)["\n  mutation ActivateModel($version: String!) {\n    activateModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ShadowModel($version: String!) {\n    shadowModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n"): (typeof documents)["\n  mutation ShadowModel($version: String!) {\n    shadowModel(version: $version) {\n      ...ModelVersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClearShadow {\n    clearShadow {\n      ...ModelVersionFields\n    }\n  }\n"): (typeof documents)["\n  mutation ClearShadow {\n    clearShadow {\n      ...ModelVersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackModel {\n    rollbackModel {\n      ...ModelVersionFields\n    }\n  }\n"): (typeof documents)["\n  mutation RollbackModel {\n    rollbackModel {\n      ...ModelVersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PredictionFields on Prediction {\n    id\n    modelVersion\n    risk\n    label\n    threshold\n    createdAt\n  }\n"): (typeof documents)["\n  fragment PredictionFields on Prediction {\n    id\n    modelVersion\n    risk\n    label\n    threshold\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StudyPage($hospitalId: ID!, $id: ID!) {\n    hospital(id: $hospitalId) {\n      id\n      name\n    }\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      accessionNumber\n      modality\n      bodyPart\n      acquiredAt\n      status\n      image {\n        contentType\n        width\n        height\n      }\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        ...PredictionFields\n      }\n      predictions {\n        ...PredictionFields\n      }\n      triage {\n        status\n        priority\n        risk\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query StudyPage($hospitalId: ID!, $id: ID!) {\n    hospital(id: $hospitalId) {\n      id\n      name\n    }\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      accessionNumber\n      modality\n      bodyPart\n      acquiredAt\n      status\n      image {\n        contentType\n        width\n        height\n      }\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        ...PredictionFields\n      }\n      predictions {\n        ...PredictionFields\n      }\n      triage {\n        status\n        priority\n        risk\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReviewFields on Review {\n    id\n    finding\n    notes\n    reviewedAt\n    reviewerName\n  }\n"): (typeof documents)["\n  fragment ReviewFields on Review {\n    id\n    finding\n    notes\n    reviewedAt\n    reviewerName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StudyReviews($hospitalId: ID!, $id: ID!) {\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query StudyReviews($hospitalId: ID!, $id: ID!) {\n    study(hospitalId: $hospitalId, id: $id) {\n      id\n      hospitalId\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordReview($hospitalId: ID!, $studyId: ID!, $finding: ReviewFinding!, $notes: String) {\n    recordReview(hospitalId: $hospitalId, studyId: $studyId, finding: $finding, notes: $notes) {\n      ...ReviewFields\n    }\n  }\n"): (typeof documents)["\n  mutation RecordReview($hospitalId: ID!, $studyId: ID!, $finding: ReviewFinding!, $notes: String) {\n    recordReview(hospitalId: $hospitalId, studyId: $studyId, finding: $finding, notes: $notes) {\n      ...ReviewFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StudyUpdated($hospitalId: ID!, $id: ID!) {\n    studyUpdated(hospitalId: $hospitalId, id: $id) {\n      cursor\n      item {\n        id\n        status\n        priority\n        risk\n        modelVersion\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription StudyUpdated($hospitalId: ID!, $id: ID!) {\n    studyUpdated(hospitalId: $hospitalId, id: $id) {\n      cursor\n      item {\n        id\n        status\n        priority\n        risk\n        modelVersion\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PatientFields on Patient {\n    id\n    hospitalId\n    name\n    mrn\n    birthDate\n    sex\n  }\n"): (typeof documents)["\n  fragment PatientFields on Patient {\n    id\n    hospitalId\n    name\n    mrn\n    birthDate\n    sex\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PatientSearch($hospitalId: ID!, $first: Int!, $filter: PatientFilter) {\n    patients(hospitalId: $hospitalId, first: $first, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          ...PatientFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PatientSearch($hospitalId: ID!, $first: Int!, $filter: PatientFilter) {\n    patients(hospitalId: $hospitalId, first: $first, filter: $filter) {\n      totalCount\n      edges {\n        node {\n          ...PatientFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePatient($hospitalId: ID!, $input: CreatePatientInput!) {\n    createPatient(hospitalId: $hospitalId, input: $input) {\n      ...PatientFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePatient($hospitalId: ID!, $input: CreatePatientInput!) {\n    createPatient(hospitalId: $hospitalId, input: $input) {\n      ...PatientFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateStudyUpload($hospitalId: ID!, $input: CreateStudyUploadInput!) {\n    createStudyUpload(hospitalId: $hospitalId, input: $input) {\n      uploadUrl\n      expiresAt\n      study {\n        id\n        hospitalId\n        accessionNumber\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateStudyUpload($hospitalId: ID!, $input: CreateStudyUploadInput!) {\n    createStudyUpload(hospitalId: $hospitalId, input: $input) {\n      uploadUrl\n      expiresAt\n      study {\n        id\n        hospitalId\n        accessionNumber\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorklistItemFields on WorklistItem {\n    id\n    hospitalId\n    status\n    priority\n    risk\n    modelVersion\n    receivedAt\n    updatedAt\n    hospital {\n      id\n      name\n    }\n    study {\n      id\n      hospitalId\n      accessionNumber\n      acquiredAt\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        modelVersion\n        risk\n        label\n        threshold\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment WorklistItemFields on WorklistItem {\n    id\n    hospitalId\n    status\n    priority\n    risk\n    modelVersion\n    receivedAt\n    updatedAt\n    hospital {\n      id\n      name\n    }\n    study {\n      id\n      hospitalId\n      accessionNumber\n      acquiredAt\n      patient {\n        id\n        name\n        mrn\n        birthDate\n        sex\n      }\n      prediction {\n        modelVersion\n        risk\n        label\n        threshold\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Worklist($first: Int!, $after: String, $hospitalIds: [ID!], $minRisk: Float, $status: [TriageStatus!]) {\n    worklist(first: $first, after: $after, hospitalIds: $hospitalIds, minRisk: $minRisk, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        node {\n          ...WorklistItemFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Worklist($first: Int!, $after: String, $hospitalIds: [ID!], $minRisk: Float, $status: [TriageStatus!]) {\n    worklist(first: $first, after: $after, hospitalIds: $hospitalIds, minRisk: $minRisk, status: $status) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        node {\n          ...WorklistItemFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TriageFeed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {\n    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {\n      cursor\n      item {\n        ...WorklistItemFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TriageFeed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {\n    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {\n      cursor\n      item {\n        ...WorklistItemFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;