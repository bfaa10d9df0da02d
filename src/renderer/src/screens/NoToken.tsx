import type { ReactElement } from 'react'
import { LogoMark } from '../components/icons'

/** Browser mode without (or with a refused) access token: say exactly how to get in. */
export function NoToken({ rejected }: { rejected?: boolean }): ReactElement {
  return (
    <div className="no-token" data-testid="no-token">
      <div className="no-token__card">
        <LogoMark width={40} height={40} />
        <h1>{rejected ? 'This page’s access token is no longer valid' : 'Face Studio needs its access link'}</h1>
        <p>
          Open the URL printed by <code>npm run web</code> (it carries an access token).
        </p>
        <p className="muted">
          {rejected
            ? 'The server was probably restarted: each launch prints a new link. Copy it from the terminal and open it here.'
            : 'The link looks like http://127.0.0.1:5170/#token=… and works only on this computer, for as long as that server runs.'}
        </p>
      </div>
    </div>
  )
}
