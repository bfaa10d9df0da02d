import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { resolveStudioApi } from './api'
import { initStudio } from './store/init'
import { App } from './App'
import { NoToken } from './screens/NoToken'
import './styles.css'

const root = createRoot(document.getElementById('root') as HTMLElement)
const resolved = resolveStudioApi()
if (resolved.ok) {
  initStudio(resolved.api)
  root.render(
    <StrictMode>
      <App />
    </StrictMode>
  )
} else {
  root.render(<NoToken />)
}
// Pasting a freshly printed link into this tab only changes the hash: start over with its token.
window.addEventListener('hashchange', () => {
  if (/token=/.test(window.location.hash)) window.location.reload()
})
