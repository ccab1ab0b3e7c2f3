import { ArgsType, Field, ID, ObjectType } from 'type-graphql';
import { ServiceCredential } from './service-credential.entity.js';

@ObjectType()
export class CreatedServiceCredential {
  @Field(() => ServiceCredential)
  credential!: ServiceCredential;

  @Field(() => String, { description: 'The API key. Shown only once: store it now.' })
  apiKey!: string;
}

@ArgsType()
export class CreateServiceCredentialArgs {
  @Field(() => ID)
  hospitalId!: string;

  @Field(() => String, { description: 'What the key is for, e.g. "PACS bridge"' })
  name!: string;
}
