import { graphql } from '../gql';

export const ModelVersionFieldsFragment = graphql(`
  fragment ModelVersionFields on ModelVersion {
    version
    status
    threshold
    publishedAt
    publishedBy
    trainingDataSha256
    metrics {
      split
      n
      auc
      accuracy
      sensitivity
      specificity
      f1
      ece
    }
  }
`);

export const ResearchPageQuery = graphql(`
  query ResearchPage {
    researchSummary {
      total
      byFinding {
        finding
        count
      }
      byHospital {
        hospitalId
        count
        pneumonia
        normal
        uncertain
      }
      byModelVersion {
        modelVersion
        count
      }
    }
    labeledExampleGrowth(bucket: DAY) {
      bucketStart
      added
      total
    }
    modelAgreement(bucket: DAY) {
      modelVersion
      bucketStart
      n
      auc
      sensitivity
      specificity
    }
    overallAgreement: modelAgreement {
      modelVersion
      n
      positives
      negatives
      auc
      sensitivity
      specificity
      accuracy
    }
    models {
      ...ModelVersionFields
    }
    datasets {
      id
      version
      name
      contentHash
      exampleCount
      skippedCount
      imageSize
      createdAt
      labelCounts {
        pneumonia
        normal
      }
      splitCounts {
        train
        val
        test
      }
      exports {
        format
        sha256
        bytes
        downloadPath
      }
    }
  }
`);

/** Hospital names for the per-hospital counts (the research service knows only ids). */
export const HospitalNamesQuery = graphql(`
  query HospitalNames {
    hospitals {
      id
      name
    }
  }
`);

export const ActivateModelMutation = graphql(`
  mutation ActivateModel($version: String!) {
    activateModel(version: $version) {
      ...ModelVersionFields
    }
  }
`);

export const ShadowModelMutation = graphql(`
  mutation ShadowModel($version: String!) {
    shadowModel(version: $version) {
      ...ModelVersionFields
    }
  }
`);

export const ClearShadowMutation = graphql(`
  mutation ClearShadow {
    clearShadow {
      ...ModelVersionFields
    }
  }
`);

export const RollbackModelMutation = graphql(`
  mutation RollbackModel {
    rollbackModel {
      ...ModelVersionFields
    }
  }
`);
