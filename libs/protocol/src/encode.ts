import type { MessageFrame, MessageKind, ServerFrame } from './frames.js';

/**
 * Encodes a delivery. `dataJson` is the payload already serialised once by whoever published it, so
 * this is string concatenation only; the gateway turns the result into bytes once per delivery and
 * writes those bytes to every recipient.
 */
export function encodeMessage(
  kind: MessageKind,
  topic: string | undefined,
  dataJson: string,
  id: string,
  ts: number,
  offset?: number,
  epoch?: string,
): string {
  const t = topic === undefined ? '' : `"topic":${JSON.stringify(topic)},`;
  const pos = offset === undefined ? '' : `,"offset":${offset},"epoch":${JSON.stringify(epoch)}`;
  return `{"type":"message","kind":"${kind}",${t}"data":${dataJson},"id":${JSON.stringify(id)},"ts":${ts}${pos}}`;
}

/**
 * A delivery as firetower's server frames it (`TopicMessage.Json()` in holdno/firetower protocol/protocol.go:
 * topic, data, then the publish operation's number), for apps with `serverFrames: "firetower"`.
 */
export function encodeFiretower(topic: string | undefined, dataJson: string): string {
  return `{"topic":${JSON.stringify(topic ?? '')},"data":${dataJson},"type":1}`;
}

/** Every server frame but deliveries (those are `encodeMessage`'s: framed once, written to many). */
export function encodeControl(frame: Exclude<ServerFrame, MessageFrame>): string {
  return JSON.stringify(frame);
}
