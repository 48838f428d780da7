// node --test web/test/ — unit tests of the pure helpers behind the custom screens.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { actionTargets, neighbourStage, mappingParam, jobPercent, jobRunning, groupByState, hasAnyRole, workCountText } from '../src/utils/flow.js'

test('actionTargets splits multi-target actions', () => {
  assert.deepEqual(actionTargets({ to: 'prospecting needs_analysis proposal' }), ['prospecting', 'needs_analysis', 'proposal'])
  assert.deepEqual(actionTargets({ to: 'won' }), ['won'])
  assert.deepEqual(actionTargets(null), [])
})

test('neighbourStage stays inside the order', () => {
  const o = ['a', 'b', 'c']
  assert.equal(neighbourStage(o, 'a', 1), 'b')
  assert.equal(neighbourStage(o, 'a', -1), null)
  assert.equal(neighbourStage(o, 'c', 1), null)
  assert.equal(neighbourStage(o, 'x', 1), null)
})

test('mappingParam names columns by number, ignored ones as null', () => {
  const cols = [{ index: 1, header: '产品编码' }, { index: 2, header: '备注' }, { index: 3, header: 'x' }]
  assert.equal(mappingParam(cols, { 1: 'code', 2: null, 3: '' }), '{"1":"code","2":null,"3":null}')
})

test('jobPercent and jobRunning', () => {
  assert.equal(jobPercent({ state: 'running', processed: 250, total: 1000 }), 25)
  assert.equal(jobPercent({ state: 'queued', processed: 0, total: 0 }), 0)
  assert.equal(jobPercent({ state: 'done', processed: 1, total: 9 }), 100)
  assert.equal(jobRunning({ state: 'running' }), true)
  assert.equal(jobRunning({ state: 'failed' }), false)
})

test('groupByState keeps the order and drops unknown states', () => {
  const g = groupByState([{ id: 1, state: 'b' }, { id: 2, state: 'a' }, { id: 3, state: 'z' }], ['a', 'b'])
  assert.deepEqual(Object.keys(g), ['a', 'b'])
  assert.deepEqual(g.a.map((r) => r.id), [2])
  assert.deepEqual(g.b.map((r) => r.id), [1])
})

test('hasAnyRole', () => {
  assert.equal(hasAnyRole({ roles: ['sales_manager'] }, ['gm', 'sales_manager']), true)
  assert.equal(hasAnyRole({ roles: ['sales_rep'] }, ['gm']), false)
  assert.equal(hasAnyRole(null, ['gm']), false)
})

test('workCountText shows a capped count as 99+', () => {
  assert.equal(workCountText(0), '0')
  assert.equal(workCountText(undefined), '0')
  assert.equal(workCountText(7), '7')
  assert.equal(workCountText(99), '99')
  assert.equal(workCountText(100), '99+')
  assert.equal(workCountText(173), '99+')
})
