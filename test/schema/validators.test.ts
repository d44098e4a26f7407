import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { generateValidators } from '../../src/schema/build-validators.js';
import { AJV_OPTIONS } from '../../src/schema/ajv-options.js';
import { validateAgainst } from '../../src/schema/ajv.js';
import { validatorsDir } from '../../src/schema/validators-path.js';
import { BUILTIN_ACTION_CATALOGUE } from '../../src/remediate/actions/catalogue.js';
import { BUILTIN_ACTIONS } from '../../src/remediate/actions/index.js';
import policiesSchema from '../../src/schema/policies.schema.json' with { type: 'json' };
import encryptionTargetSchema from '../../src/schema/encryption-target.schema.json' with { type: 'json' };

describe('precompiled schema validators', () => {
  it('the build wrote one validator per schema, and generating again gives the same code (reproducible)', () => {
    const generated = generateValidators();
    expect([...readdirSync(validatorsDir())].sort()).to.deep.equal([...generated.keys()].sort());
    for (const [name, code] of generated) expect(readFileSync(join(validatorsDir(), name), 'utf8'), name).to.equal(code);
  });

  it('a precompiled validator reports the same errors as the schema compiled at run time', () => {
    const ajv = new Ajv(AJV_OPTIONS);
    ajv.addSchema(encryptionTargetSchema);
    const compiled = ajv.compile(policiesSchema);
    const broken = { version: 2, policies: [{ id: 'p', rules: ['x'], scope: { bucket: 1 }, extra: true }], whatever: [] };
    compiled(broken);
    const expected = JSON.parse(JSON.stringify(compiled.errors)) as unknown;
    expect(JSON.parse(JSON.stringify(validateAgainst(policiesSchema, broken)))).to.deep.equal(expected).and.to.have.length.greaterThan(1);
  });

  it('refuses a schema that was not precompiled instead of compiling it', () => {
    expect(() => validateAgainst({ type: 'string' }, 1)).to.throw(/\$id/);
    expect(() => validateAgainst({ $id: 'https://example.com/none.schema.json' }, 1)).to.throw(/npm run build/);
  });
});

describe('built-in action catalogue', () => {
  it('lists the descriptors of the registered actions', () => {
    expect([...BUILTIN_ACTION_CATALOGUE]).to.deep.equal([...BUILTIN_ACTIONS.catalogue()]);
  });
});
