export { Beacon } from './beacon.js';
export { backoffDelay, backoffOptions } from './backoff.js';
export { closeAction, STOP_CODES, TOKEN_CODES, type CloseAction } from './close-policy.js';
export { BeaconError, type BeaconErrorCode, type ClientErrorCode } from './errors.js';
export { Subscription } from './subscription.js';
export type * from './types.js';
