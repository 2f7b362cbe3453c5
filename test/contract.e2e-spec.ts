import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_FILE, renderContract, SCHEMA_FILE } from '../src/cli/commands/contract.commands';
import { TestApp } from './support/test-app';

/** The committed contract must be what the code generates: run `npm run contract` after API changes. */
describe('committed API contract', () => {
  let t: TestApp;
  let rendered: { openapi: string; schema: string };

  beforeAll(async () => {
    t = await TestApp.start();
    rendered = renderContract(t.app);
  });
  afterAll(() => t.close());

  it('openapi/openapi.json matches the code (run `npm run contract`)', () => {
    expect(readFileSync(join(__dirname, '..', OPENAPI_FILE), 'utf8')).toBe(rendered.openapi);
  });

  it('src/schema.gql matches the code (run `npm run contract`)', () => {
    expect(readFileSync(join(__dirname, '..', SCHEMA_FILE), 'utf8')).toBe(rendered.schema);
  });

  it('is OpenAPI 3.1 and every operation has a summary, a description and documented responses', () => {
    const document = JSON.parse(rendered.openapi) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { summary?: string; description?: string; responses?: object }>
      >;
    };
    expect(document.openapi).toBe('3.1.0');
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (
          !operation.summary ||
          !operation.description ||
          !operation.responses ||
          !Object.keys(operation.responses).length
        ) {
          undocumented.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('serves the same document at /openapi.json and a reference page at /docs without internet', async () => {
    const served = await t.http.get('/openapi.json').expect(200);
    expect(served.body).toEqual(JSON.parse(rendered.openapi));
    const page = await t.http.get('/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs|fonts)\./);
  });
});
