// Type declarations of @mockamocha/sdk. Results are the `data` of the API's envelope, with
// the API's own (snake_case) field names; times are ISO 8601 UTC strings ending in `Z`.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface PageOptions {
  page?: number;
  per_page?: number;
}
export interface Listing {
  total: number;
  page: number;
  per_page: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
}
export interface Token {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: User;
}
export interface Me extends User {
  is_admin: boolean;
  workspace_id: string;
  created_at: string;
}
export interface Health {
  status: string;
  collections: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}
export interface NewApiKey extends ApiKey {
  /** shown this once */
  key: string;
}
export interface KeyList extends Listing {
  keys: ApiKey[];
}

export interface Collection {
  id: string;
  name: string;
  description: string;
  slug: string;
  mock_url: string;
  endpoints_count: number;
  /** CRUD paths are answered from a seeded resource store */
  stateful: boolean;
  /** the default delay of every answer */
  delay: Delay | null;
  /** the server answers CORS preflights for the mocks (off: the document's own OPTIONS) */
  cors: boolean;
  created_at: string;
  updated_at: string;
}
export interface CollectionUpdate {
  name?: string;
  description?: string;
  stateful?: boolean;
  /** `null` removes the default delay */
  delay?: Delay | null;
  cors?: boolean;
}
export interface CollectionList extends Listing {
  collections: Collection[];
}

export interface Import {
  import_id: string;
  status: 'processing' | 'completed' | 'failed';
  /** how far a background import has come */
  stage: 'queued' | 'loading' | 'saving' | 'completed' | 'failed';
  endpoints_created: number;
  endpoints_updated: number;
  endpoints_removed: number;
  message: string;
  /** why a failed import failed */
  errors: string[];
  collection_id: string;
  created_at: string;
  /** when it ended; null while it is processing */
  finished_at: string | null;
}

export interface Endpoint {
  id: string;
  method: string;
  path: string;
  name: string;
  description: string;
  operation: string;
  operation_id: string | null;
  collection_id: string;
  response_rules_count: number;
  requests_count: number;
  last_request_at: string | null;
  created_at: string;
}
export interface EndpointList extends Listing {
  endpoints: Endpoint[];
}
export type EndpointSort =
  | 'path' | 'method' | 'name' | 'created_at' | 'requests_count' | 'last_request_at'
  | '-path' | '-method' | '-name' | '-created_at' | '-requests_count' | '-last_request_at';
export interface EndpointFilters {
  collection_id?: string;
  method?: string;
  /** substring of the path */
  path?: string;
  /** searched in name and path */
  q?: string;
  sort?: EndpointSort;
}

/** seconds (0-600), or `[min, max]` for a random delay in between */
export type Delay = number | [number, number];
export type Scalar = string | number | boolean;
/** conditions on a value; all given must hold */
export interface Conditions {
  equals?: JsonValue;
  not_equals?: JsonValue;
  contains?: JsonValue;
  regex?: string;
  exists?: boolean;
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  one_of?: JsonValue[];
}
/** a value, any of a list of values, or conditions */
export type ValueMatcher = Scalar | Scalar[] | Conditions;
/** a test on the JSON body at a JSONPath or a JSON pointer */
export type BodyMatcher = Conditions & ({ jsonpath: string } | { pointer: string });
export interface RuleMatch {
  path?: Record<string, ValueMatcher>;
  query?: Record<string, ValueMatcher>;
  headers?: Record<string, ValueMatcher>;
  cookies?: Record<string, ValueMatcher>;
  form?: Record<string, ValueMatcher>;
  json?: JsonValue;
  json_contains?: JsonObject | JsonValue[];
  body?: BodyMatcher[];
  any_of?: RuleMatch[];
  not?: RuleMatch;
}
export type FaultKind =
  | 'connection_reset' | 'close' | 'empty_response' | 'malformed_body' | 'truncated_body'
  | 'slow_body' | 'hang';
/** One answer of a rule: at most one of json, body, example, generate and template; none
 * answers what the spec gives for `status`. */
export interface RuleStep {
  status?: number;
  headers?: Record<string, string>;
  json?: JsonValue;
  body?: string;
  content_type?: string;
  /** a named example of the operation's responses */
  example?: string;
  /** generated data, `true` or property overrides */
  generate?: true | JsonObject;
  /** a template text, or JSON whose strings are templates */
  template?: JsonValue;
  delay?: Delay;
  fault?: FaultKind | { kind: FaultKind; seconds?: number };
  /** how many requests this step answers (every step but the last: 1 by default) */
  times?: number;
}
/** the first step of a rule */
export type RuleResponse = RuleStep;
export interface RuleFields {
  response?: RuleStep;
  /** the steps after `response`, in turn */
  then?: RuleStep[];
  match?: RuleMatch;
  priority?: number;
  enabled?: boolean;
  name?: string;
  /** fire only while this scenario is in `state` */
  scenario?: string;
  /** default "started" */
  state?: string;
  /** the state the scenario moves to when the rule fires */
  next_state?: string;
}
/** a field given as `null` is removed */
export type RuleUpdate = { [K in keyof RuleFields]?: RuleFields[K] | null };
export interface Rule {
  id: string;
  endpoint_id: string;
  name: string;
  match: RuleMatch;
  response: RuleStep;
  then: RuleStep[];
  priority: number;
  enabled: boolean;
  scenario: string | null;
  /** the state the rule fires in (null without a scenario) */
  state: string | null;
  next_state: string | null;
  /** requests answered since the last reset */
  hits: number;
  /** how the rule's steps break the operation's contract (stored anyway) */
  warnings: string[];
  created_at: string;
  updated_at: string;
}
export interface Scenario {
  name: string;
  state: string;
}
export interface ScenarioList {
  scenarios: Scenario[];
}
export interface RuleList extends Listing {
  rules: Rule[];
}

export interface GenerateOptions {
  /** 1-1000, default 10 */
  count?: number;
  /** per field: a list of choices, {min, max}, "faker:<provider>" or a fixed value */
  custom_fields?: JsonObject;
  seed?: number;
  status_code?: number;
  /** a Faker locale, e.g. "de_DE" */
  locale?: string;
}
export interface Generation {
  generation_id: string;
  status: 'completed';
  records_generated: number;
  data_preview: JsonValue[];
  records: JsonValue[];
  endpoint_id: string;
  seed: number;
  locale: string;
}

export type TimePeriod = '24h' | '7d' | '30d' | '90d';
export interface RequestAnalytics {
  total_requests: number;
  unique_endpoints: number;
  time_period: TimePeriod;
  requests_by_day: { date: string; count: number }[];
  top_endpoints: {
    endpoint_id: string | null;
    path: string;
    method: string;
    requests_count: number;
    /** milliseconds */
    avg_response_time: number;
  }[];
}

export interface RequestRecord {
  id: string;
  timestamp: string;
  collection_id: string;
  collection: string;
  operation: string | null;
  method: string;
  path: string;
  query: string;
  status: number;
  response_time_ms: number;
  source: string;
  test: string | null;
  rule_id: string | null;
  violations: string[];
  params: string[];
}
export interface RequestList extends Listing {
  requests: RequestRecord[];
}
export interface RequestFilters {
  collection_id?: string;
  /** "GET /pets/{petId}" */
  operation?: string;
  status?: number;
  /** a pytest node id */
  test?: string;
}

export interface Ratio {
  hit: number;
  declared: number;
  percent: number;
}
export interface OperationCoverage {
  name: string;
  operation_id: string | null;
  deprecated: boolean;
  hits: number;
  valid_hits: number;
  avg_response_ms: number;
  statuses: Record<string, number>;
  declared_statuses: string[];
  statuses_hit: string[];
  statuses_missing: string[];
  undeclared_statuses: string[];
  params_declared: string[];
  params_sent: string[];
  params_missing: string[];
}
export interface CollectionCoverage {
  slug: string;
  title: string;
  requests: number;
  violations: number;
  unmatched: number;
  operations: Ratio;
  responses: Ratio;
  parameters: Ratio;
  uncovered: string[];
  deprecated: { name: string; hits: number }[];
  operation_list: OperationCoverage[];
  problems: string[];
  warnings: string[];
}
/** the report model of docs/reports.md */
export interface Coverage {
  schema: 'mockamocha-report';
  version: 1;
  totals: { requests: number; violations: number; unmatched: number; operations: Ratio };
  collections: CollectionCoverage[];
  tests: JsonObject[];
}

export interface ClientOptions {
  /** the server's root, e.g. "http://127.0.0.1:8080" */
  baseUrl: string;
  /** a JWT from `login` or an API key */
  token?: string | null;
  apiKey?: string | null;
  /** milliseconds per request (default 10000) */
  timeout?: number;
  /** a fetch implementation (default: globalThis.fetch) */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  json?: JsonValue;
  body?: BodyInit;
  contentType?: string;
  /** the answer has no envelope */
  raw?: boolean;
}

declare class Keys {
  create(name: string): Promise<NewApiKey>;
  list(options?: PageOptions): Promise<KeyList>;
  iter(options?: { per_page?: number }): AsyncGenerator<ApiKey, void, undefined>;
  delete(keyId: string): Promise<void>;
}
declare class Collections {
  list(options?: PageOptions): Promise<CollectionList>;
  iter(options?: { per_page?: number }): AsyncGenerator<Collection, void, undefined>;
  get(collectionId: string): Promise<Collection>;
  create(name: string, options?: { description?: string; slug?: string }): Promise<Collection>;
  update(collectionId: string, fields?: CollectionUpdate): Promise<Collection>;
  delete(collectionId: string): Promise<void>;
  scenarios(collectionId: string): Promise<ScenarioList>;
  setScenario(collectionId: string, name: string, state: string): Promise<ScenarioList>;
  /** scenarios to "started", sequences to their first step, the stateful store to its seed */
  reset(collectionId: string): Promise<ScenarioList>;
  /** an object or YAML/JSON text is sent as {"spec": ...}; binary data is sent raw */
  importSpec(
    collectionId: string,
    document: JsonObject | string | Blob | ArrayBuffer | Uint8Array,
    options?: { contentType?: string; wait?: boolean; waitTimeout?: number; background?: boolean },
  ): Promise<Import>;
}
declare class Imports {
  get(importId: string): Promise<Import>;
}
declare class Endpoints {
  list(options?: EndpointFilters & PageOptions): Promise<EndpointList>;
  iter(options?: EndpointFilters & { per_page?: number }): AsyncGenerator<Endpoint, void, undefined>;
  get(endpointId: string): Promise<Endpoint>;
  update(endpointId: string, fields?: { name?: string; description?: string }): Promise<Endpoint>;
  delete(endpointId: string): Promise<void>;
}
declare class Rules {
  list(endpointId: string, options?: PageOptions): Promise<RuleList>;
  iter(endpointId: string, options?: { per_page?: number }): AsyncGenerator<Rule, void, undefined>;
  create(endpointId: string, fields: RuleFields & { response: RuleStep }): Promise<Rule>;
  get(endpointId: string, ruleId: string): Promise<Rule>;
  update(endpointId: string, ruleId: string, fields?: RuleUpdate): Promise<Rule>;
  delete(endpointId: string, ruleId: string): Promise<void>;
}
declare class Generations {
  get(generationId: string): Promise<Generation>;
}
declare class Analytics {
  requests(options?: { time_period?: TimePeriod; collection_id?: string }): Promise<RequestAnalytics>;
}

declare class Requests {
  list(options?: RequestFilters & PageOptions): Promise<RequestList>;
  iter(options?: RequestFilters & { per_page?: number }): AsyncGenerator<RequestRecord, void, undefined>;
}

export declare class Client {
  constructor(options: ClientOptions);
  readonly baseUrl: string;
  token: string | null;
  timeout: number;
  readonly keys: Keys;
  readonly collections: Collections;
  readonly imports: Imports;
  readonly endpoints: Endpoints;
  readonly rules: Rules;
  readonly generations: Generations;
  readonly analytics: Analytics;
  readonly requests: Requests;
  /** logs in and keeps the token for later requests */
  login(email: string, password: string): Promise<Token>;
  me(): Promise<Me>;
  health(): Promise<Health>;
  coverage(collectionId?: string, options?: { timePeriod?: TimePeriod }): Promise<Coverage>;
  generateData(endpointId: string, options?: GenerateOptions): Promise<Generation>;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
}
export default Client;

export declare class SdkError extends Error {}
export declare class TransportError extends SdkError {}
export declare class Timeout extends TransportError {}
export type ErrorCode =
  | 'VALIDATION_ERROR' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'HEADERS_TOO_LARGE' | 'RATE_LIMITED'
  | 'INTERNAL_ERROR';
export declare class ApiError extends SdkError {
  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: string[];
    requestId?: string | null;
    retryAfter?: number | null;
  });
  readonly status: number;
  readonly code: ErrorCode | string;
  /** the server's message (`message` also carries status, code, details and request id) */
  readonly apiMessage: string;
  readonly details: string[];
  readonly requestId: string | null;
  /** seconds, from Retry-After */
  readonly retryAfter: number | null;
}
export declare class ValidationError extends ApiError {}
export declare class Unauthorized extends ApiError {}
export declare class Forbidden extends ApiError {}
export declare class NotFound extends ApiError {}
export declare class MethodNotAllowed extends ApiError {}
export declare class Conflict extends ApiError {}
export declare class PayloadTooLarge extends ApiError {}
export declare class UnsupportedMediaType extends ApiError {}
export declare class HeadersTooLarge extends ApiError {}
export declare class RateLimited extends ApiError {}
export declare class InternalError extends ApiError {}
