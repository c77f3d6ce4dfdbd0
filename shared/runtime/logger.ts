import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger. Handlers log what happened (route, status, request id, error names), never a task token,
 * session id, sign-in code, link signature or report text.
 */
export const logger = new Logger({ serviceName: 'nianbao' });
