import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The composed supergraph comes first; `schema-extensions.graphql` declares only the fields other
 * teams are still building (subscriptions, uploads, reviews) and is deleted once they land there.
 */
const config: CodegenConfig = {
  schema: ['../gateway/supergraph.graphql', 'schema-extensions.graphql'],
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: {
          DateTimeISO: 'string',
          LocalDate: 'string',
          Cursor: 'string',
        },
      },
    },
  },
};

export default config;
