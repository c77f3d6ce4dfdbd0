import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpHandler } from '../../shared/http/handler.js';
import { HTTP_FUNCTIONS, TASK_FUNCTIONS, type HttpFunctionName } from '../../shared/http/routes.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { DynamoStore } from '../../shared/store/dynamo-store.js';
import { GSI1, PARTITION_KEY } from '../../shared/store/table.js';
import type { Store } from '../../shared/workflow/ports.js';
import { httpHandlers, taskHandlers } from './handlers.js';
import {
  FUNCTION_NEEDS,
  indexKeyPatterns,
  leadingKeyPatterns,
  matchesKeyPattern,
  type FunctionName,
  type TableAction,
} from '../function-needs.js';

/**
 * What IAM's `dynamodb:LeadingKeys` conditions do in AWS, done locally: each function's store may reach only the
 * partitions its line of infra/function-needs.ts names (the same line the stack turns into its grants), so the
 * end-to-end and fault suites fail here, with the error AWS would give, when a function touches a partition it does
 * not declare. The local stack gives each handler its own guarded store.
 */

export class AccessDeniedException extends Error {
  override readonly name = 'AccessDeniedException';
}

interface Request {
  readonly action: TableAction | 'other';
  readonly index: boolean;
  readonly partitionKey: string | undefined;
}

const stringValue = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `#pk = :pk AND …` → the value the partition key is compared with (table or index). */
function queriedPartition(input: QueryCommand['input']): string | undefined {
  const match = /^\s*([#\w]+)\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '');
  if (match === null) return undefined;
  const [, name = '', value = ''] = match;
  const attribute = name.startsWith('#') ? input.ExpressionAttributeNames?.[name] : name;
  const expected = input.IndexName === undefined ? PARTITION_KEY : GSI1.partitionKey;
  return attribute === expected ? stringValue(input.ExpressionAttributeValues?.[value]) : undefined;
}

function requestOf(command: unknown): Request {
  if (command instanceof GetCommand)
    return { action: 'dynamodb:GetItem', index: false, partitionKey: stringValue(command.input.Key?.[PARTITION_KEY]) };
  if (command instanceof QueryCommand) {
    return { action: 'dynamodb:Query', index: command.input.IndexName !== undefined, partitionKey: queriedPartition(command.input) };
  }
  if (command instanceof PutCommand)
    return { action: 'dynamodb:PutItem', index: false, partitionKey: stringValue(command.input.Item?.[PARTITION_KEY]) };
  if (command instanceof UpdateCommand)
    return { action: 'dynamodb:UpdateItem', index: false, partitionKey: stringValue(command.input.Key?.[PARTITION_KEY]) };
  if (command instanceof DeleteCommand)
    return { action: 'dynamodb:DeleteItem', index: false, partitionKey: stringValue(command.input.Key?.[PARTITION_KEY]) };
  // Scan, batches, transactions: no function is granted them
  return { action: 'other', index: false, partitionKey: undefined };
}

/** May `name` make this request? The same rule as its synthesized grants (infra/bindings.ts). */
export function allowedFor(name: FunctionName, request: Request): boolean {
  const needs = FUNCTION_NEEDS[name];
  if (request.action === 'other' || request.partitionKey === undefined || !needs.table.includes(request.action)) return false;
  const items = needs.items ?? {};
  const patterns = request.index
    ? indexKeyPatterns(items.index ?? [])
    : request.action === 'dynamodb:GetItem' || request.action === 'dynamodb:Query'
      ? leadingKeyPatterns(items.read ?? [])
      : leadingKeyPatterns(items.write ?? []);
  const key = request.partitionKey;
  return patterns.some((pattern) => matchesKeyPattern(pattern, key));
}

/** The document client as function `name` may use it: a request outside its partitions fails as AWS would fail it. */
export function partitionGuard(client: DynamoDBDocumentClient, name: FunctionName): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return (command: unknown, ...rest: unknown[]) => {
        const request = requestOf(command);
        if (!allowedFor(name, request)) {
          const where = `${request.index ? `${GSI1.indexName} ` : ''}partition ${JSON.stringify(request.partitionKey ?? '?')}`;
          return Promise.reject(
            new AccessDeniedException(`${name} is not authorized to perform ${request.action} on ${where} (infra/function-needs.ts)`),
          );
        }
        return Reflect.apply(target.send, target, [command, ...rest]) as Promise<unknown>;
      };
    },
  });
}

/** One guarded store per function (built on first use), all on the same table, each wrapped as `wrap` says (signing). */
export function guardedStores(
  client: DynamoDBDocumentClient,
  tableName: string,
  wrap: (store: Store) => Store = (store) => store,
): (name: FunctionName) => Store {
  const stores = new Map<FunctionName, Store>();
  return (name) => {
    let store = stores.get(name);
    if (store === undefined) {
      store = wrap(new DynamoStore({ client: partitionGuard(client, name), tableName }));
      stores.set(name, store);
    }
    return store;
  };
}

/** The handlers of infra/local/handlers.ts, each built with its own function's guarded store. */
export function guardedHttpHandlers(deps: AppDeps, storeFor: (name: FunctionName) => Store): Record<HttpFunctionName, HttpHandler> {
  const handlers = {} as Record<HttpFunctionName, HttpHandler>;
  for (const name of HTTP_FUNCTIONS) handlers[name] = httpHandlers({ ...deps, store: storeFor(name) })[name];
  return handlers;
}

export function guardedTaskHandlers(deps: AppDeps, storeFor: (name: FunctionName) => Store): ReturnType<typeof taskHandlers> {
  const handlers = {} as ReturnType<typeof taskHandlers>;
  for (const name of TASK_FUNCTIONS) handlers[name] = taskHandlers({ ...deps, store: storeFor(name) })[name];
  return handlers;
}
