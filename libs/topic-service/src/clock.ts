// The clock port is shared with the gateway: it lives in libs/routing.
export { ManualClock, systemClock, type Clock } from '@beacon/routing';
