import type { AckFrame, ConnectedFrame, ErrorFrame, PongFrame } from './frames.js';

/**
 * Encodes a delivery. `dataJson` is the payload already serialised once by whoever published it, so
 * this is string concatenation only; the gateway turns the result into bytes once per delivery and
 * writes those bytes to every recipient.
 */
export function encodeMessage(topic: string | undefined, dataJson: string, id: string, ts: number): string {
  const t = topic === undefined ? '' : `"topic":${JSON.stringify(topic)},`;
  return `{"type":"message",${t}"data":${dataJson},"id":${JSON.stringify(id)},"ts":${ts}}`;
}

export function encodeControl(frame: ConnectedFrame | AckFrame | ErrorFrame | PongFrame): string {
  return JSON.stringify(frame);
}
