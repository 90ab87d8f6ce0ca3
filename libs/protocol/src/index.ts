export * from './codes.js';
export * from './encode.js';
export * from './frames.js';
export * from './json-depth.js';
export * from './parse.js';
export * from './text.js';
export * from './topic.js';
