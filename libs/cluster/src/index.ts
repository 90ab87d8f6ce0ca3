export { ClusterRouter, CHANNEL_OPTIONS, type ClusterRouterOptions } from './cluster.router.js';
export { ClusterUnavailable, GatewayLink, type GatewayLinkOptions } from './gateway-link.js';
export { PublishError } from './publish-channel.js';
