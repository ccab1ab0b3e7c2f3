import { Hospital } from './hospital/hospital.entity.js';
import { Membership } from './membership/membership.entity.js';
import { ServiceCredential } from './service-credential/service-credential.entity.js';
import { SigningKey } from './signing-key/signing-key.entity.js';
import { User } from './user/user.entity.js';

export const entities = [Hospital, User, Membership, ServiceCredential, SigningKey];
