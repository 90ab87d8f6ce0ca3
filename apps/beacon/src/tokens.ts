export const BEACON_CONFIG = Symbol('BEACON_CONFIG');
