import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildOpenApiDocument } from '../../app.factory';
import { CliCommand, CliUsageError } from '../cli-context';

export const OPENAPI_FILE = join('openapi', 'openapi.json');
export const SCHEMA_FILE = join('src', 'schema.gql');

/** The committed contract files, as the running code would write them. */
export function renderContract(app: NestFastifyApplication): { openapi: string; schema: string } {
  const openapi = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  const schema =
    '# Generated from the code by `npm run contract`; a test fails when it drifts. Do not edit.\n\n' +
    `${printSchema(lexicographicSortSchema(app.get(GraphQLSchemaHost).schema))}\n`;
  return { openapi, schema };
}

export const contract: CliCommand = async (args, context) => {
  const action = args.words[1];
  const root = process.cwd();
  const rendered = renderContract(await context.offlineApp());
  if (action === 'write') {
    writeFileSync(join(root, OPENAPI_FILE), rendered.openapi);
    writeFileSync(join(root, SCHEMA_FILE), rendered.schema);
    process.stdout.write(`wrote ${OPENAPI_FILE} and ${SCHEMA_FILE}\n`);
  } else if (action === 'check') {
    const stale = [
      readFileSync(join(root, OPENAPI_FILE), 'utf8') !== rendered.openapi
        ? OPENAPI_FILE
        : undefined,
      readFileSync(join(root, SCHEMA_FILE), 'utf8') !== rendered.schema ? SCHEMA_FILE : undefined,
    ].filter(Boolean);
    if (stale.length)
      throw new CliUsageError(`out of date: ${stale.join(', ')} — run npm run contract`);
    process.stdout.write('contract files are up to date\n');
  } else {
    throw new CliUsageError('usage: kehu contract write|check');
  }
};
