import { graphql } from '../gql';

export const SessionUserFragment = graphql(`
  fragment SessionUser on Me {
    id
    email
    displayName
    roles
    memberships {
      role
      hospital {
        id
        name
        slug
      }
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      user {
        ...SessionUser
      }
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...SessionUser
    }
  }
`);
