// The browser bundles the gateway serves (npm run build:ui): GraphiQL (React, CodeMirror 5) and the
// operator console (Preact), one build with two pages, into ui/dist/ (gitignored). Every file is
// local: the pages load nothing from another origin (gateway/ui/securityHeaders.ts).
import { defineConfig } from 'vite'

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname)

export default defineConfig({
  root: here('./'),
  // the gateway serves dist/assets/ at /ui/assets/ (gateway/ui/uiBundle.ts)
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  // the console's JSX is Preact's; GraphiQL's entry builds its elements with React's createElement
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('./dist/'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // no inline script: the pages' CSP allows only the bundle's own files
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // GraphiQL with React and CodeMirror is one chunk of about 1.5 MB (400 kB with gzip)
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      input: { graphiql: here('./graphiql/index.html'), console: here('./console/index.html') },
      // React libraries mark modules "use client" (for server components): meaningless in a browser bundle
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return
        handler(level, log)
      },
    },
  },
})
