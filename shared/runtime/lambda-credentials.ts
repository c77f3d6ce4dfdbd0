/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (an esbuild alias in
 * infra/project-function.ts). Lambda puts the function role's credentials in the environment; the SDK's default chain
 * would also bundle the SSO, STS, web-identity, INI and process providers (about 85 KB minified) that a function
 * never uses. Tests and the local stack run the real chain.
 */

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export class LambdaCredentialsError extends Error {
  override readonly name = 'CredentialsProviderError';
}

export const defaultProvider = () => async (): Promise<Credentials> => {
  const accessKeyId = process.env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = process.env['AWS_SECRET_ACCESS_KEY'];
  if (accessKeyId === undefined || secretAccessKey === undefined)
    throw new LambdaCredentialsError('no AWS credentials in the environment (the Lambda runtime sets them)');
  const sessionToken = process.env['AWS_SESSION_TOKEN'];
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
};
