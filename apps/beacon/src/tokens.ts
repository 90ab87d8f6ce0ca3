export interface Readiness {
  check(): Promise<Record<string, string>>;
}
export const READINESS = Symbol('READINESS');
export const BEACON_CONFIG = Symbol('BEACON_CONFIG');
