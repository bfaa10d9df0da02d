import type { CallName, CallResult, ParsedArgs } from '../../shared/contract'
import { mirrorStatus, startAugment } from '../app/augment'
import { AppError } from '../../shared/result'
import type { AppContext } from '../app/context'
import { recentProjects } from '../project/settings'
import { importBatches, importFolders, listImages, imageDetail } from '../library/queries'
import { startImport } from '../app/import-job'
import { dismissInterrupted, interruptedJobs } from '../app/job-log'
import { clusterPreview, DEFAULT_PREVIEW_THRESHOLDS, startClustering } from '../app/clustering'
import {
  peopleUndoState,
  personLabel,
  personsOfFaces,
  recordPeopleOp,
  redoPeopleOp,
  undoPeopleOp
} from '../people/people-undo'
import { plural } from '../../shared/format'
import {
  answerSuggestion,
  listPersons,
  mergePersons,
  moveFaces,
  notThisPerson,
  personDetail,
  renamePerson,
  splitPerson,
  suggestions,
  unassignedFaces
} from '../people/people'
import { addTaskLabels, createTask, getTask, listTasks } from '../labels/tasks'
import { annotate, currentLabelOf, faceHistory, redo, undo, undoState } from '../labels/annotations'
import { reviewQueue } from '../labels/review'
import { startActivation } from '../app/activation'
import { compareVersions, versionMetrics } from '../app/evaluation'
import { startTraining, trainingHistory } from '../app/training'
import { calibrateBuiltin } from '../app/calibration'
import { startLearningCurve } from '../app/learning-curve'
import { evaluationSetSummary, setEvaluationMembership } from '../models/eval-set'
import { exportVersion } from '../models/export-version'
import { listVersionInfos } from '../models/version-info'
import { findConflicts } from '../fairness/conflicts'
import { groupingCandidates } from '../fairness/groups'
import {
  compareGroupMetrics,
  startMitigatedTraining,
  versionBiasProbe,
  versionGroupMetrics,
  versionGroupThresholds,
  applyGroupThresholds,
  versionAppliedThresholds,
  clearGroupThresholds,
  versionReweightPreview
} from '../app/fairness'
import { penaltyRangeFor, startSweep } from '../app/sweep'
import { labelErrorQueue, startLabelErrors } from '../app/label-errors'
import { labelsIoHandlers } from './labels-io-handlers'
import { teamsHandlers } from './handlers-teams'
import { mapHandlers } from './handlers-map'

export type FileDialogRequest = ParsedArgs<'system.pickFile'>

/** What only a transport can do (native folder and file dialogs exist in Electron, not in a browser). */
export interface Platform {
  pickFolder?: (purpose: 'create' | 'open' | 'import') => Promise<string | null>
  pickFile?: (request: FileDialogRequest) => Promise<string | null>
}

export type Handlers = {
  [N in CallName]: (args: ParsedArgs<N>, ctx: AppContext, platform: Platform) => Promise<CallResult<N>> | CallResult<N>
}

export const handlers: Handlers = {
  'app.info': (_a, ctx) => ctx.appInfo(),
  'app.profiles': (_a, ctx) => ctx.profiles(),
  'app.setAnnotator': (a, ctx) => ctx.setAnnotator(a.name),
  'project.current': (_a, ctx) => ctx.projectInfo(),
  'project.create': (a, ctx) => ctx.createProject(a.dir),
  'project.open': (a, ctx) => ctx.openProject(a.dir),
  'project.close': async (_a, ctx) => {
    await ctx.closeProject()
    return null
  },
  'project.recent': (_a, ctx) => recentProjects(ctx.settings),
  'project.forgetRecent': (a, ctx) => {
    ctx.forgetRecent(a.dir)
    return recentProjects(ctx.settings)
  },
  'system.pickFolder': async (a, _ctx, platform) => {
    if (!platform.pickFolder) {
      throw new AppError('UNSUPPORTED', 'This window has no folder picker; type the folder path instead.')
    }
    return platform.pickFolder(a.purpose)
  },
  'system.pickFile': async (a, _ctx, platform) => {
    if (!platform.pickFile) {
      throw new AppError('UNSUPPORTED', 'This window has no file picker; type the file path instead.')
    }
    return platform.pickFile(a)
  },
  'jobs.list': (_a, ctx) => ctx.jobs.list(),
  'jobs.cancel': (a, ctx) => ctx.jobs.cancel(a.id),
  'jobs.interrupted': (_a, ctx) => (ctx.project ? interruptedJobs(ctx.project.db) : []),
  'jobs.dismissInterrupted': (a, ctx) => dismissInterrupted(ctx.requireProject().db, a.ids),
  'import.start': (a, ctx) => startImport(ctx, a).info,
  'library.folders': (_a, ctx) => importFolders(ctx.requireProject().db),
  'library.imports': (_a, ctx) => importBatches(ctx.requireProject().db),
  'library.images': (a, ctx) => listImages(ctx.requireProject().db, a),
  'library.image': (a, ctx) => imageDetail(ctx.requireProject().db, a.id),
  ...peopleHandlers(),
  ...labelHandlers(),
  ...modelHandlers(),
  ...fairnessHandlers(),
  ...labelsIoHandlers(),
  ...teamsHandlers(),
  ...mapHandlers()
}

type Subset<P extends string> = { [N in Extract<CallName, `${P}.${string}`>]: Handlers[N] }

function changed(ctx: AppContext, what: Array<'persons' | 'faces' | 'annotations' | 'tasks'>): void {
  ctx.emit('data.changed', { what })
}

function peopleHandlers(): Subset<'people'> {
  return {
    'people.cluster': (a, ctx) => startClustering(ctx, a).info,
    'people.thresholdPreview': (a, ctx) => clusterPreview(ctx, a.thresholds ?? DEFAULT_PREVIEW_THRESHOLDS),
    'people.list': (a, ctx) => listPersons(ctx.requireProject().db, a),
    'people.get': (a, ctx) => personDetail(ctx.requireProject().db, a),
    'people.unassigned': (a, ctx) => unassignedFaces(ctx.requireProject().db, a),
    'people.rename': (a, ctx) => {
      const project = ctx.requireProject()
      const r = recordPeopleOp(project, `Rename ${personLabel(project.db, a.id)}`, { persons: [a.id] }, () =>
        renamePerson(project.db, a.id, a.name)
      )
      changed(ctx, ['persons'])
      return r
    },
    'people.merge': (a, ctx) => {
      const project = ctx.requireProject()
      const what = `Merge ${personLabel(project.db, a.from)} into ${personLabel(project.db, a.into)}`
      const r = recordPeopleOp(project, what, { persons: [a.into, a.from] }, () =>
        mergePersons(project.db, a.into, a.from, ctx.annotator)
      )
      changed(ctx, ['persons', 'faces'])
      return r
    },
    'people.split': (a, ctx) => {
      const project = ctx.requireProject()
      const what = `Split ${plural(a.faceIds.length, 'face')} off ${personLabel(project.db, a.id)}`
      const r = recordPeopleOp(
        project,
        what,
        { persons: [a.id], faces: a.faceIds },
        () => splitPerson(project.db, a.id, a.faceIds),
        (p) => [p.id]
      )
      changed(ctx, ['persons', 'faces'])
      return r
    },
    'people.moveFaces': (a, ctx) => {
      const project = ctx.requireProject()
      const what = `Move ${plural(a.faceIds.length, 'face')} to ${personLabel(project.db, a.personId)}`
      const r = recordPeopleOp(
        project,
        what,
        { persons: [a.personId, ...personsOfFaces(project.db, a.faceIds)], faces: a.faceIds },
        () => moveFaces(project.db, a.faceIds, a.personId)
      )
      changed(ctx, ['persons', 'faces'])
      return r
    },
    'people.notThisPerson': (a, ctx) => {
      const project = ctx.requireProject()
      const what = `Not ${personLabel(project.db, a.personId)}: ${plural(a.faceIds.length, 'face')}`
      const r = recordPeopleOp(project, what, { persons: [a.personId], faces: a.faceIds }, () =>
        notThisPerson(project.db, a.personId, a.faceIds)
      )
      changed(ctx, ['persons', 'faces'])
      return r
    },
    'people.suggestions': (a, ctx) => suggestions(ctx.requireProject().db, a),
    'people.answerSuggestion': (a, ctx) => {
      const project = ctx.requireProject()
      const what = `${a.accept ? 'Accept' : 'Reject'} face #${a.faceId} as ${personLabel(project.db, a.personId)}`
      recordPeopleOp(
        project,
        what,
        { persons: [a.personId, ...personsOfFaces(project.db, [a.faceId])], faces: [a.faceId] },
        () => answerSuggestion(project.db, a.faceId, a.personId, a.accept)
      )
      changed(ctx, ['persons', 'faces'])
      return null
    },
    'people.undo': (_a, ctx) => {
      const r = undoPeopleOp(ctx.requireProject(), ctx.annotator)
      if (r) changed(ctx, ['persons', 'faces'])
      return r
    },
    'people.redo': (_a, ctx) => {
      const r = redoPeopleOp(ctx.requireProject(), ctx.annotator)
      if (r) changed(ctx, ['persons', 'faces'])
      return r
    },
    'people.undoState': (_a, ctx) => peopleUndoState(ctx.requireProject())
  }
}

function labelHandlers(): Subset<'tasks' | 'annotations' | 'review' | 'labelErrors'> {
  return {
    'tasks.list': (_a, ctx) => listTasks(ctx.requireProject().db),
    'tasks.create': (a, ctx) => {
      const r = createTask(ctx.requireProject().db, a)
      changed(ctx, ['tasks'])
      return r
    },
    'tasks.addLabels': (a, ctx) => {
      const r = addTaskLabels(ctx.requireProject().db, a.task, a.labels)
      changed(ctx, ['tasks'])
      return r
    },
    'annotations.add': (a, ctx) => {
      const items = a.entries.flatMap((e) =>
        e.ids.map((id) => ({ target: e.target, id, value: e.value, source: e.source }))
      )
      const r = annotate(ctx.requireProject().db, { task: a.task, annotator: a.annotator ?? ctx.annotator, items })
      changed(ctx, ['annotations'])
      return { actionId: r.actionId, rows: r.rows }
    },
    'annotations.undo': (_a, ctx) => {
      const r = undo(ctx.requireProject().db, ctx.annotator)
      if (r) changed(ctx, ['annotations'])
      return r
    },
    'annotations.redo': (_a, ctx) => {
      const r = redo(ctx.requireProject().db, ctx.annotator)
      if (r) changed(ctx, ['annotations'])
      return r
    },
    'annotations.undoState': (_a, ctx) => undoState(ctx.requireProject().db),
    'annotations.history': (a, ctx) => faceHistory(ctx.requireProject().db, a.faceId, a.task),
    'annotations.current': (a, ctx) => {
      const db = ctx.requireProject().db
      const task = getTask(db, a.task)
      const out: Record<number, string> = {}
      for (const f of a.faceIds) {
        const v = currentLabelOf(db, f, task.id)
        if (v !== null) out[f] = v
      }
      return out
    },
    'review.queue': (a, ctx) => reviewQueue(ctx.requireProject().db, { ...a, annotator: ctx.annotator }),
    'labelErrors.start': (a, ctx) => startLabelErrors(ctx, a).info,
    'labelErrors.queue': (a, ctx) => labelErrorQueue(ctx, a.task)
  }
}

function modelHandlers(): Subset<'models'> {
  return {
    'models.versions': (a, ctx) => listVersionInfos(ctx.requireProject().db, a.task),
    'models.train': (a, ctx) => startTraining(ctx, a).info,
    'models.trainingHistory': (a, ctx) => trainingHistory(ctx, a.jobId),
    'models.learningCurve': (a, ctx) => startLearningCurve(ctx, a).info,
    'models.mirrorStatus': (_a, ctx) => mirrorStatus(ctx),
    'models.augment': (_a, ctx) => startAugment(ctx).info,
    'models.calibrate': async (a, ctx) => {
      const r = await calibrateBuiltin(ctx, a.task, { force: true })
      if (!r)
        throw new AppError(
          'UNSUPPORTED',
          'Only a classification task with a built-in version 0 is calibrated this way; trained versions calibrate themselves.'
        )
      return r
    },
    'models.activate': (a, ctx) => startActivation(ctx, a).info,
    'models.metrics': (a, ctx) => versionMetrics(ctx, a),
    'models.compare': (a, ctx) => compareVersions(ctx, a),
    'models.export': (a, ctx) => exportVersion(ctx.requireProject(), a),
    'models.evaluationSet': (a, ctx) => evaluationSetSummary(ctx.requireProject().db, a.task),
    'models.markEvaluation': (a, ctx) => ({
      changed: setEvaluationMembership(ctx.requireProject().db, a.task, a.faceIds, a.member)
    })
  }
}

function fairnessHandlers(): Subset<'fairness'> {
  return {
    'fairness.groupings': (_a, ctx) => groupingCandidates(ctx.requireProject().db),
    'fairness.groupMetrics': (a, ctx) => versionGroupMetrics(ctx, a),
    'fairness.compare': (a, ctx) => compareGroupMetrics(ctx, a),
    'fairness.biasProbe': (a, ctx) => versionBiasProbe(ctx, a),
    'fairness.thresholds': (a, ctx) => versionGroupThresholds(ctx, a),
    'fairness.applyThresholds': (a, ctx) => applyGroupThresholds(ctx, a),
    'fairness.appliedThresholds': (a, ctx) => versionAppliedThresholds(ctx, a),
    'fairness.clearThresholds': (a, ctx) => clearGroupThresholds(ctx, a),
    'fairness.reweightPreview': (a, ctx) => versionReweightPreview(ctx, a),
    'fairness.penaltyRange': (a, ctx) => penaltyRangeFor(ctx, a),
    'fairness.train': (a, ctx) =>
      startMitigatedTraining(ctx, {
        task: a.task,
        mitigation: a.mitigation,
        activate: a.activate,
        ...(a.epochs !== undefined ? { epochs: a.epochs } : {}),
        ...(a.seed !== undefined ? { seed: a.seed } : {})
      }).info,
    'fairness.sweep': (a, ctx) =>
      startSweep(ctx, {
        task: a.task,
        mitigation: a.method,
        groupTask: a.groupTask,
        values: a.values,
        penaltyMode: a.penaltyMode,
        positive: a.positive,
        epochs: a.epochs,
        seed: a.seed,
        accuracyBudget: a.accuracyBudget,
        minGroupSize: a.minGroupSize,
        gapMetric: a.gapMetric
      }).info,
    'fairness.conflicts': (a, ctx) => findConflicts(ctx.requireProject().db, a)
  }
}
