import { ReviewFinding } from '@triage/contracts';
import { registerEnumType } from 'type-graphql';

export type Finding = ReviewFinding;

/** GraphQL shows PNEUMONIA / NORMAL / UNCERTAIN; events and rows carry the contracts' lower-case findings. */
export const ResearchFindingEnum = { PNEUMONIA: 'pneumonia', NORMAL: 'normal', UNCERTAIN: 'uncertain' } as const satisfies Record<
  string,
  Finding
>;
registerEnumType(ResearchFindingEnum, {
  name: 'ResearchFinding',
  description: "A doctor's finding on a labelled example",
});

export type ModelLabel = 'pneumonia' | 'normal';
export const ResearchModelLabelEnum = { PNEUMONIA: 'pneumonia', NORMAL: 'normal' } as const satisfies Record<string, ModelLabel>;
registerEnumType(ResearchModelLabelEnum, {
  name: 'ResearchModelLabel',
  description: "The model's label at its threshold when the example was predicted",
});

export const SEXES = ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'] as const;
export type Sex = (typeof SEXES)[number];
export const ResearchSexEnum = { FEMALE: 'FEMALE', MALE: 'MALE', OTHER: 'OTHER', UNKNOWN: 'UNKNOWN' } as const satisfies Record<Sex, Sex>;
registerEnumType(ResearchSexEnum, { name: 'ResearchSex' });

/** PNEUMONIA = 1, NORMAL = 0 (PneumoniaMNIST); uncertain findings have no label. */
export function binaryLabel(finding: Finding): 0 | 1 | null {
  if (finding === 'pneumonia') return 1;
  if (finding === 'normal') return 0;
  return null;
}
