import { GraphiQL } from 'graphiql'
import 'graphiql/style.css'
import { createElement as h, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createFetcher } from './fetcher.ts'
import './graphiql.css'
import { PersistedOperations, persistedOperationsPlugin } from './persistedOperations.ts'
import { storageWithoutHeaders } from './storage.ts'

const DEFAULT_QUERY = `# GraphiQL on the commerce supergraph, served by the gateway:
# nothing here is loaded from anywhere else.
#
# Your token goes in the Headers pane below:
#   { "Authorization": "Bearer <token>" }
# (npm run -s token -- --role staff prints one)
#
# Docs (the book icon) come from the schema's descriptions.
# In production, they and free-form documents are for staff.
# The clients' persisted operations (the list icon) run by id.
# Subscriptions run over graphql-ws on /graphql, with a
# partner or staff token holding the stock:read scope.

query Products {
  products(first: 5) {
    nodes {
      handle
      title
    }
  }
}
`

const origin = window.location.origin
const operations = new PersistedOperations(`${origin}/graphiql/api/operations`)
void operations.load({})

const fetcher = createFetcher({
  url: `${origin}/graphql`,
  wsUrl: `${origin.replace(/^http/, 'ws')}/graphql`,
  schemaUrl: `${origin}/graphiql/api/schema`,
  persisted: operations.find,
})

const root = document.getElementById('graphiql')
if (!root) throw new Error('no #graphiql element')
createRoot(root).render(
  h(
    StrictMode,
    null,
    h(GraphiQL, {
      fetcher,
      defaultQuery: DEFAULT_QUERY,
      plugins: [persistedOperationsPlugin(operations)],
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      // a token is a secret: kept in the page's memory, never in localStorage (the history included)
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      storage: storageWithoutHeaders(),
    }),
  ),
)
