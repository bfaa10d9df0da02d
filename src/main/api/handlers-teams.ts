/** Handlers of the teams-and-privacy calls (issue 14): agreement, adjudication, forgetting, merging. */
import type { CallName } from '../../shared/contract'
import type { AppContext } from '../app/context'
import { mergeFrom, startRetrainWithoutForgotten } from '../app/teams'
import { overlapSetting, setOverlapSetting } from '../labels/overlap'
import { adjudicate, agreementReport, disagreementQueue } from '../teams/agreement'
import { annotatorGroupRates, annotatorProfiles, setAnnotatorAttributes } from '../teams/annotator-groups'
import { exportPersonData } from '../teams/export-person'
import { forgetAudit, forgetPerson } from '../teams/forget'
import type { Handlers } from './handlers'

type TeamsHandlers = { [N in Extract<CallName, `teams.${string}`>]: Handlers[N] }

function changed(ctx: AppContext, what: Array<'persons' | 'faces' | 'annotations' | 'images' | 'versions'>): void {
  ctx.emit('data.changed', { what })
}

export function teamsHandlers(): TeamsHandlers {
  return {
    'teams.agreement': (a, ctx) => agreementReport(ctx.requireProject().db, a.task),
    'teams.disagreements': (a, ctx) => disagreementQueue(ctx.requireProject().db, a.task, a),
    'teams.adjudicate': (a, ctx) => {
      const r = adjudicate(ctx.requireProject().db, { ...a, annotator: ctx.annotator })
      changed(ctx, ['annotations'])
      return r
    },
    'teams.forget': (a, ctx) => {
      const r = forgetPerson(ctx.requireProject(), { personId: a.personId, by: ctx.annotator })
      changed(ctx, ['persons', 'faces', 'annotations', 'images', 'versions'])
      return r
    },
    'teams.forgetAudit': (_a, ctx) => forgetAudit(ctx.requireProject().db),
    'teams.exportPerson': (a, ctx) => exportPersonData(ctx.requireProject(), a),
    'teams.retrainWithoutForgotten': (a, ctx) => startRetrainWithoutForgotten(ctx, a).info,
    'teams.overlap': (_a, ctx) => overlapSetting(ctx.requireProject().db),
    'teams.setOverlap': (a, ctx) => {
      const r = setOverlapSetting(ctx.requireProject().db, a)
      changed(ctx, ['annotations'])
      return r
    },
    'teams.annotators': (_a, ctx) => annotatorProfiles(ctx.requireProject().db),
    'teams.setAnnotatorAttributes': (a, ctx) => setAnnotatorAttributes(ctx.requireProject().db, a.name, a.attributes),
    'teams.annotatorGroups': (a, ctx) => annotatorGroupRates(ctx.requireProject().db, a),
    'teams.merge': (a, ctx) => mergeFrom(ctx, a.from)
  }
}
