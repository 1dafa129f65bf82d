import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse, print, visit, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql'
import { composeFromConfig } from './compose.ts'
import { AllowFileError, parseAllowFile, readClientManifests, runSchemaCheck, type AllowEntry, type ClientManifest } from './schemaCheck.ts'
import { formatMarkdown, formatText, toJson } from './schemaCheckReport.ts'

const baseSupergraphSdl = readFileSync('supergraph.graphql', 'utf8')
const catalogSdl = readFileSync('subgraphs/catalog/schema.graphql', 'utf8')
const manifests = readClientManifests('operations')

/** The catalog schema with one edit; fails loudly when the text to replace is not there. */
function catalogWith(from: string, to: string): string {
  assert.ok(catalogSdl.includes(from), `subgraphs/catalog/schema.graphql no longer contains ${JSON.stringify(from)}`)
  return catalogSdl.replace(from, to)
}

/** The catalog schema with one type's fields edited (on the parsed schema, whatever its layout). */
function catalogWithFields(typeName: string, edit: (fields: readonly FieldDefinitionNode[]) => FieldDefinitionNode[]): string {
  let found = false
  const document = visit(parse(catalogSdl), {
    ObjectTypeDefinition: (node) => {
      if (node.name.value !== typeName) return undefined
      found = true
      return { ...node, fields: edit(node.fields ?? []) }
    },
  })
  assert.ok(found, `subgraphs/catalog/schema.graphql has no type ${typeName}`)
  return print(document)
}

const withoutField = (name: string) => (fields: readonly FieldDefinitionNode[]) => fields.filter((field) => field.name.value !== name)

/** Product.description with a new argument `maxLength` of the given type. */
function descriptionWithMaxLength(type: 'Int' | 'Int!'): string {
  const [template] = parse(`type T { f(maxLength: ${type}): Int }`).definitions as [ObjectTypeDefinitionNode]
  const args = template.fields?.[0]?.arguments ?? []
  return catalogWithFields('Product', (fields) => fields.map((field) => (field.name.value === 'description' ? { ...field, arguments: args } : field)))
}

function check(overrides: Record<string, string> = {}, allowed: readonly AllowEntry[] = []) {
  return runSchemaCheck({ composition: composeFromConfig('supergraph.yaml', overrides), baseSupergraphSdl, baseRef: 'test-base', manifests, allowed })
}

describe('schema check', () => {
  it('passes on the unchanged tree: no changes, no broken operations, supergraph.graphql and manifests fresh', async () => {
    const report = await runSchemaCheck({ composition: composeFromConfig('supergraph.yaml'), baseSupergraphSdl, committedSupergraphSdl: baseSupergraphSdl, staleOperations: [], manifests, allowed: [] })
    assert.equal(report.verdict, 'pass', report.failures.join('\n'))
    assert.equal(report.changes.filter((c) => c.criticality === 'BREAKING').length, 0)
    assert.deepEqual(report.brokenOperations, [])
    assert.equal(report.stale.supergraph, false)
    assert.ok(manifests.some((m) => m.client === 'storefront' && m.manifest.operations.length > 0))
    assert.match(formatText(report), /Verdict: PASS/)
  })

  it('fails on a composition error and lists the problem', async () => {
    const report = await check({ catalog: catalogWith('barcode: String', 'barcode: NoSuchType') })
    assert.equal(report.verdict, 'fail')
    assert.equal(report.composition.ok, false)
    const problem = report.composition.problems.find((p) => p.message.includes('NoSuchType'))
    assert.ok(problem, JSON.stringify(report.composition.problems))
    assert.match(formatText(report), /Composition failed with \d+ error\(s\):[\s\S]*NoSuchType/)
    assert.match(formatMarkdown(report), /Composition errors[\s\S]*NoSuchType/)
  })

  it('fails when supergraph.graphql differs from the composition, naming npm run compose', async () => {
    const report = await runSchemaCheck({ composition: composeFromConfig('supergraph.yaml'), baseSupergraphSdl, committedSupergraphSdl: `${baseSupergraphSdl}\n# edited\n`, manifests, allowed: [] })
    assert.equal(report.verdict, 'fail')
    assert.equal(report.stale.supergraph, true)
    assert.match(formatText(report), /npm run compose/)
  })

  it('fails when a removed field is used by a storefront operation, naming the client and the operation', async () => {
    const report = await check({ catalog: catalogWithFields('Product', withoutField('title')) })
    assert.equal(report.verdict, 'fail')
    const removal = report.changes.find((c) => c.path === 'Product.title')
    assert.equal(removal?.criticality, 'BREAKING')
    const broken = report.brokenOperations.filter((b) => b.client === 'storefront').map((b) => b.operation)
    assert.ok(broken.includes('ProductPage') && broken.includes('ProductListing'), JSON.stringify(report.brokenOperations))
    assert.ok(report.brokenOperations.every((b) => b.messages.some((m) => m.includes('title'))))
    const text = formatText(report)
    assert.match(text, /storefront\/ProductPage:\n\s+- Cannot query field "title" on type "Product"/)
    assert.match(formatMarkdown(report), /`storefront\/ProductPage`/)
    // an allow entry does not excuse a broken operation
    const allowed = await check({ catalog: catalogWithFields('Product', withoutField('title')) }, [{ path: 'Product.title', reason: 'renamed' }])
    assert.equal(allowed.verdict, 'fail')
  })

  it('a removed field no operation uses is breaking: fails without an allow entry, passes with one that has a reason', async () => {
    const catalog = catalogWithFields('ProductVariant', withoutField('barcode'))
    assert.ok(!manifests.some((m) => m.manifest.operations.some((o) => o.body.includes('barcode'))), 'an operation selects barcode; pick another field')
    const without = await check({ catalog })
    assert.equal(without.verdict, 'fail')
    assert.deepEqual(without.brokenOperations, [])
    const removal = without.changes.find((c) => c.path === 'ProductVariant.barcode')
    assert.equal(removal?.criticality, 'BREAKING')
    assert.equal(removal?.allowed, false)
    assert.match(without.failures.join('\n'), /ProductVariant\.barcode/)

    const allowed = parseAllowFile('schema-check-allow.json', JSON.stringify({ allowed: [{ path: 'ProductVariant.barcode', reason: 'no client reads it; moved to inventory' }] }))
    const withEntry = await check({ catalog }, allowed)
    assert.equal(withEntry.verdict, 'pass', withEntry.failures.join('\n'))
    assert.equal(withEntry.changes.find((c) => c.path === 'ProductVariant.barcode')?.allowed, true)
    assert.match(formatText(withEntry), /allowed: no client reads it/)
    const json = JSON.parse(toJson(withEntry)) as { verdict: string; changes: { criticality: string }[]; brokenOperations: unknown[]; composition: { ok: boolean }; stale: unknown }
    assert.equal(json.verdict, 'pass')
    assert.equal(json.composition.ok, true)
    assert.ok(Array.isArray(json.changes) && Array.isArray(json.brokenOperations) && json.stale)
  })

  it('an allow entry without a reason, or a malformed allow file, is an error naming the file', () => {
    assert.throws(() => parseAllowFile('schema-check-allow.json', '{ "allowed": [{ "path": "ProductVariant.barcode" }] }'), (error: unknown) => {
      assert.ok(error instanceof AllowFileError)
      assert.match(error.message, /^schema-check-allow\.json: .*\n- allowed\[0\] \(ProductVariant\.barcode\): "reason" must be/)
      return true
    })
    assert.throws(() => parseAllowFile('schema-check-allow.json', '{ "allowed": [ '), /schema-check-allow\.json: .*\n- not JSON/)
    assert.throws(() => parseAllowFile('schema-check-allow.json', '[]'), /schema-check-allow\.json: [\s\S]*must be a JSON object/)
    assert.throws(() => parseAllowFile('schema-check-allow.json', '{ "allow": [] }'), /"allowed" must be an array/)
    const shipped = readFileSync('schema-check-allow.json', 'utf8')
    assert.deepEqual(parseAllowFile('schema-check-allow.json', shipped), JSON.parse(shipped).allowed)
  })

  it('a new optional argument is a safe change and passes', async () => {
    const report = await check({ catalog: descriptionWithMaxLength('Int') })
    assert.equal(report.verdict, 'pass', report.failures.join('\n'))
    const added = report.changes.find((c) => c.path === 'Product.description.maxLength')
    assert.equal(added?.criticality, 'SAFE', JSON.stringify(report.changes))
    assert.ok(report.changes.every((c) => c.criticality === 'SAFE'))
    assert.match(formatText(report), /SAFE\s+Argument 'maxLength: Int' added to field 'Product.description'/)
  })

  it('a new required argument without a default stays breaking', async () => {
    const report = await check({ catalog: descriptionWithMaxLength('Int!') })
    assert.equal(report.changes.find((c) => c.path === 'Product.description.maxLength')?.criticality, 'BREAKING')
    assert.equal(report.verdict, 'fail')
  })

  it('fails on a manifest operation over an operation limit, measured for the worst variables', async () => {
    const deep = 'query TooDeep { products(first: 1) { nodes { variants(first: 1) { nodes { product { variants(first: 1) { nodes { sku } } } } } } } }'
    const costly = 'query TooCostly($n: Int) { products(first: $n) { nodes { variants(first: 100) { nodes { id } } } } }'
    const extra: ClientManifest = {
      client: 'storefront',
      manifest: {
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [
          { id: 'deep', name: 'TooDeep', type: 'query', body: deep },
          { id: 'costly', name: 'TooCostly', type: 'query', body: costly },
        ],
      },
    }
    const report = await runSchemaCheck({ composition: composeFromConfig('supergraph.yaml'), baseSupergraphSdl, manifests: [...manifests, extra], allowed: [] })
    assert.equal(report.verdict, 'fail')
    const byName = Object.fromEntries(report.brokenOperations.map((b) => [b.operation, b.messages.join(' ')]))
    assert.match(byName['TooDeep'] ?? '', /^MAX_DEPTH_EXCEEDED: The operation nests fields 8 deep; at most 6/)
    // $n unknown and without a default: the largest page (100) × 100 variants
    assert.match(byName['TooCostly'] ?? '', /^COST_LIMIT_EXCEEDED: The operation's estimated cost is 10201; at most 5000/)
    assert.equal(Object.keys(byName).length, 2, 'the committed manifests stay within the limits')
  })
})
