import { graphql } from '../gql';

/** One shape for the initial page and every feed event, so both merge into the same list. */
export const WorklistItemFieldsFragment = graphql(`
  fragment WorklistItemFields on WorklistItem {
    id
    hospitalId
    status
    priority
    risk
    modelVersion
    receivedAt
    updatedAt
    hospital {
      id
      name
    }
    study {
      id
      hospitalId
      accessionNumber
      acquiredAt
      patient {
        id
        name
        mrn
        birthDate
        sex
      }
      prediction {
        modelVersion
        risk
        label
        threshold
      }
    }
  }
`);

export const WorklistQuery = graphql(`
  query Worklist($first: Int!, $after: String, $hospitalIds: [ID!], $minRisk: Float, $status: [TriageStatus!]) {
    worklist(first: $first, after: $after, hospitalIds: $hospitalIds, minRisk: $minRisk, status: $status) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          ...WorklistItemFields
        }
      }
    }
  }
`);

/** Pending contract: `triageFeed` (gateway subscriptions). */
export const TriageFeedSubscription = graphql(`
  subscription TriageFeed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {
    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {
      cursor
      item {
        ...WorklistItemFields
      }
    }
  }
`);
