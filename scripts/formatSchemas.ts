// npm run schemas:format [-- files...] — writes every subgraph schema (and the shared value types),
// or the files named, in printed form, as graphql-js prints it: one field per line, descriptions
// as block strings, no comments.
// test/schemaDocs.test.ts fails when a file is not in this form or an element has no description.
import { readFileSync, writeFileSync } from 'node:fs'
import { parse, print } from 'graphql'
import { SUBGRAPH_NAMES } from '../platform/subgraphRegistry.ts'

export const SCHEMA_FILES = ['subgraphs/shared.graphql', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/schema.graphql`)]

/** The printed form of an SDL text. */
export const printed = (text: string): string => `${print(parse(text))}\n`

if (import.meta.url === `file://${process.argv[1]}`) {
  const named = process.argv.slice(2)
  for (const file of named.length > 0 ? named : SCHEMA_FILES) {
    const text = readFileSync(file, 'utf8')
    const next = printed(text)
    if (next !== text) {
      writeFileSync(file, next)
      console.log(`formatted ${file}`)
    }
  }
}
