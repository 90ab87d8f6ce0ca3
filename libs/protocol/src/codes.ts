/**
 * Every way a connection can end and every error a frame can get. Stable: clients switch on these.
 * docs/protocol.md lists them; a spec checks the two agree.
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
  BadRequest: 4000,
  Unauthorized: 4001,
  TokenExpired: 4002,
  AppDisabled: 4003,
  UnknownApp: 4004,
  ConnectionLimit: 4005,
  ConnectRefused: 4006,
  SlowConsumer: 4008,
  HeartbeatTimeout: 4009,
  Kicked: 4010,
  Flood: 4029,
  InboxFull: 4030,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const CLOSE_REASONS: Readonly<Record<CloseCode, string>> = {
  1000: 'normal closure',
  1001: 'server going away',
  1002: 'WebSocket protocol error',
  1007: 'text frame is not valid UTF-8',
  1008: 'message in too many fragments',
  1009: 'frame larger than the connection limit',
  1011: 'internal error',
  1012: 'server draining: reconnect elsewhere after the hinted delay',
  4000: 'bad connect request',
  4001: 'unauthorized',
  4002: 'token expired',
  4003: 'app disabled',
  4004: 'unknown app',
  4005: 'connection limit reached for this app',
  4006: 'connection refused by a server hook',
  4008: 'slow consumer: outbound budget exceeded',
  4009: 'heartbeat timeout',
  4010: 'disconnected by the server',
  4029: 'too many frames',
  4030: 'too many frames waiting for authentication or a server hook',
};

/** Every close code's name, in the snake_case every error code of every surface uses (docs/errors.md). */
export const CLOSE_CODE_NAMES: Readonly<Record<CloseCode, string>> = {
  1000: 'normal',
  1001: 'going_away',
  1002: 'protocol_error',
  1007: 'invalid_payload',
  1008: 'policy_violation',
  1009: 'message_too_big',
  1011: 'internal_error',
  1012: 'service_restart',
  4000: 'bad_request',
  4001: 'unauthorized',
  4002: 'token_expired',
  4003: 'app_disabled',
  4004: 'unknown_app',
  4005: 'connection_limit',
  4006: 'connect_refused',
  4008: 'slow_consumer',
  4009: 'heartbeat_timeout',
  4010: 'kicked',
  4029: 'flood',
  4030: 'inbox_full',
};

/** Error codes carried by `{"type":"error"}` frames. The connection stays open after every one of them. */
export const ErrorCode = {
  BadFrame: 'bad_frame',
  UnknownType: 'unknown_type',
  MissingTopic: 'missing_topic',
  InvalidTopic: 'invalid_topic',
  TooManyTopics: 'too_many_topics',
  Forbidden: 'forbidden',
  Refused: 'refused',
  RateLimited: 'rate_limited',
  PayloadTooLarge: 'payload_too_large',
  PresenceFull: 'presence_full',
  NoPresence: 'no_presence',
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
