import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { resolveStudioApi } from './api'
import { initClient } from './store/actions'
import { App } from './App'
import { NoToken } from './screens/NoToken'
import './styles.css'

const root = createRoot(document.getElementById('root') as HTMLElement)
const resolved = resolveStudioApi()
if (resolved.ok) {
  initClient(resolved.api)
  root.render(
    <StrictMode>
      <App />
    </StrictMode>
  )
} else {
  root.render(<NoToken />)
}
