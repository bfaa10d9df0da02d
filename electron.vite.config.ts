import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// electron-vite reads the Electron version from the installed package to pick build targets. Where the
// Electron binary could not be downloaded (offline machines, CI) the optional package is absent, and the
// version pinned in package.json stands in so the same build still works for browser mode and the CLI.
process.env.ELECTRON_MAJOR_VER ??= '45'

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          web: resolve(__dirname, 'src/main/web.ts'),
          worker: resolve(__dirname, 'src/main/worker/main.ts'),
          'head-thread': resolve(__dirname, 'src/main/training/head-thread.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts')
        },
        // Shared chunks sit beside the entries so paths.ts resolves out/main the same from every chunk.
        output: { chunkFileNames: '[name]-[hash].js' }
      }
    }
  },
  // The window is sandboxed: its preload can require only `electron` (and events, timers, url), so it is
  // built as one self-contained CommonJS file with every dependency bundled ("Limitations of sandboxing" in
  // electron-vite's guide). scripts/build.mjs refuses a build whose preload requires anything else.
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', codeSplitting: false }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') }
    },
    plugins: [react()]
  }
})
