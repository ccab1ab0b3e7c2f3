import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations from the composed supergraph (the API the gateway serves).
 */
const config: CodegenConfig = {
  schema: ['../gateway/supergraph.graphql'],
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
