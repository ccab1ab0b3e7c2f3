import type { PredictionFieldsFragment, ReviewFieldsFragment } from '../gql/graphql';

export type HistoryEntry =
  | { kind: 'prediction'; at: string; key: string; prediction: PredictionFieldsFragment }
  | { kind: 'review'; at: string; key: string; review: ReviewFieldsFragment };

/** Model predictions and doctors' reviews of one study as one timeline, newest first. */
export function buildHistory(
  predictions: readonly PredictionFieldsFragment[],
  reviews: readonly ReviewFieldsFragment[],
): HistoryEntry[] {
  const entries: HistoryEntry[] = [
    ...predictions.map((prediction) => ({ kind: 'prediction' as const, at: prediction.createdAt, key: `p:${prediction.id}`, prediction })),
    ...reviews.map((review) => ({ kind: 'review' as const, at: review.reviewedAt, key: `r:${review.id}`, review })),
  ];
  const time = (iso: string) => {
    const at = Date.parse(iso);
    return Number.isNaN(at) ? 0 : at;
  };
  // Equal instants: the review after the prediction it judged, so it is listed first.
  return entries.sort((a, b) => time(b.at) - time(a.at) || (a.kind === b.kind ? 0 : a.kind === 'review' ? -1 : 1));
}
