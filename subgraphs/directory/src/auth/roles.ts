import { registerEnumType } from 'type-graphql';

/** Roles held at one hospital (the `memberships` claim). */
export const HOSPITAL_ROLES = ['technician', 'doctor', 'integration'] as const;
export type HospitalRole = (typeof HOSPITAL_ROLES)[number];

/** Platform-wide roles (the `roles` claim). */
export const PLATFORM_ROLES = ['researcher', 'admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

// GraphQL enum values are spelled exactly like the token claims, so clients compare one vocabulary.
export const HospitalRoleEnum = Object.fromEntries(HOSPITAL_ROLES.map((r) => [r, r])) as {
  [R in HospitalRole]: R;
};
export const PlatformRoleEnum = Object.fromEntries(PLATFORM_ROLES.map((r) => [r, r])) as {
  [R in PlatformRole]: R;
};

registerEnumType(HospitalRoleEnum, { name: 'HospitalRole', description: 'A role held at one hospital' });
registerEnumType(PlatformRoleEnum, { name: 'PlatformRole', description: 'A platform-wide role' });
