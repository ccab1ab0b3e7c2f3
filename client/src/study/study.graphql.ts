import { graphql } from '../gql';

export const PredictionFieldsFragment = graphql(`
  fragment PredictionFields on Prediction {
    id
    modelVersion
    risk
    label
    threshold
    createdAt
  }
`);

export const StudyPageQuery = graphql(`
  query StudyPage($hospitalId: ID!, $id: ID!) {
    hospital(id: $hospitalId) {
      id
      name
    }
    study(hospitalId: $hospitalId, id: $id) {
      id
      hospitalId
      accessionNumber
      modality
      bodyPart
      acquiredAt
      status
      image {
        contentType
        width
        height
      }
      patient {
        id
        name
        mrn
        birthDate
        sex
      }
      prediction {
        ...PredictionFields
      }
      predictions {
        ...PredictionFields
      }
      triage {
        status
        priority
        risk
        updatedAt
      }
    }
  }
`);

export const ReviewFieldsFragment = graphql(`
  fragment ReviewFields on Review {
    id
    finding
    notes
    reviewedAt
    reviewerName
  }
`);

/**
 * Pending contract: `Study.reviews`. A query of its own so the rest of the study page works
 * while the field is not in the supergraph yet.
 */
export const StudyReviewsQuery = graphql(`
  query StudyReviews($hospitalId: ID!, $id: ID!) {
    study(hospitalId: $hospitalId, id: $id) {
      id
      hospitalId
      reviews {
        ...ReviewFields
      }
    }
  }
`);

/** Pending contract: `recordReview` (hospital subgraph). */
export const RecordReviewMutation = graphql(`
  mutation RecordReview($hospitalId: ID!, $studyId: ID!, $finding: ReviewFinding!, $notes: String) {
    recordReview(hospitalId: $hospitalId, studyId: $studyId, finding: $finding, notes: $notes) {
      ...ReviewFields
    }
  }
`);

/** Pending contract: `studyUpdated` (gateway subscriptions). */
export const StudyUpdatedSubscription = graphql(`
  subscription StudyUpdated($hospitalId: ID!, $id: ID!) {
    studyUpdated(hospitalId: $hospitalId, id: $id) {
      cursor
      item {
        id
        status
        priority
        risk
        modelVersion
        updatedAt
      }
    }
  }
`);
