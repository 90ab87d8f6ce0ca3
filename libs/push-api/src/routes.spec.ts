import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { PushApiErrors } from './push-api.exception.js';
import { PushController } from './push.controller.js';
import { openApiDocument, ROUTES } from './routes.js';

const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

function controllerRoutes(): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, PushController) as string;
  const proto = PushController.prototype as unknown as Record<string, object>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor')
    .map((name) => proto[name] as object)
    .filter((fn) => Reflect.hasMetadata(PATH_METADATA, fn))
    .map((fn) => {
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as number];
      return `${method} /${base}/${Reflect.getMetadata(PATH_METADATA, fn) as string}`;
    })
    .sort();
}

describe('the push API contract', () => {
  it('the controller implements exactly the route table', () => {
    expect(controllerRoutes()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('the OpenAPI document has every route, and docs/api.md every route and error code', () => {
    const doc3 = openApiDocument('test') as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    for (const r of ROUTES) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc3.paths[path]?.[r.method.toLowerCase()]?.operationId).toBe(r.action);
      expect(doc, r.path).toContain(`\`${path.split('?')[0]}`);
    }
    for (const code of Object.keys(PushApiErrors)) expect(doc, code).toContain(`| \`${code}\` |`);
  });
});
