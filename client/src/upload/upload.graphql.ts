import { graphql } from '../gql';

export const PatientFieldsFragment = graphql(`
  fragment PatientFields on Patient {
    id
    hospitalId
    name
    mrn
    birthDate
    sex
  }
`);

export const PatientSearchQuery = graphql(`
  query PatientSearch($hospitalId: ID!, $first: Int!, $filter: PatientFilter) {
    patients(hospitalId: $hospitalId, first: $first, filter: $filter) {
      totalCount
      edges {
        node {
          ...PatientFields
        }
      }
    }
  }
`);

export const CreatePatientMutation = graphql(`
  mutation CreatePatient($hospitalId: ID!, $input: CreatePatientInput!) {
    createPatient(hospitalId: $hospitalId, input: $input) {
      ...PatientFields
    }
  }
`);

/** Pending contract: `createStudyUpload` (hospital subgraph). */
export const CreateStudyUploadMutation = graphql(`
  mutation CreateStudyUpload($hospitalId: ID!, $input: CreateStudyUploadInput!) {
    createStudyUpload(hospitalId: $hospitalId, input: $input) {
      uploadUrl
      expiresAt
      study {
        id
        hospitalId
        accessionNumber
      }
    }
  }
`);
