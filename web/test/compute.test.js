// compute.test.js — the browser's preview of computed fields (src/utils/compute.js) gives the
// server's numbers (tests/api/lines.test.mjs LN01): same units, same rounding.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { muldiv, previewRecord } from '../src/utils/compute.js'
import { milliToString, stringToMilli } from '../src/utils/qty.js'

const meta = {
  fields: [
    { name: 'tax_rate_bp', type: 'percent_bp' }, { name: 'subtotal', type: 'money' }, { name: 'tax', type: 'money' },
    { name: 'total', type: 'money' }, { name: 'total_qty', type: 'qty' },
  ],
  computes: [
    { field: 'subtotal', op: 'sum', a: 'lines', b: 'amount' }, { field: 'total_qty', op: 'sum', a: 'lines', b: 'quantity' },
    { field: 'tax', op: 'mul', a: 'subtotal', b: 'tax_rate_bp' }, { field: 'total', op: 'add', a: 'subtotal', b: 'tax' },
  ],
  children: [{
    name: 'lines',
    fields: [
      { name: 'quantity', type: 'qty' }, { name: 'unit_price', type: 'money' }, { name: 'discount_bp', type: 'percent_bp' },
      { name: 'gross', type: 'money' }, { name: 'discount', type: 'money' }, { name: 'amount', type: 'money' },
    ],
    computes: [
      { field: 'gross', op: 'mul', a: 'quantity', b: 'unit_price' }, { field: 'discount', op: 'mul', a: 'gross', b: 'discount_bp' },
      { field: 'amount', op: 'sub', a: 'gross', b: 'discount' },
    ],
  }],
}

test('the preview computes the lines, then the totals, as the server does', () => {
  const rec = { tax_rate_bp: 1300, lines: [{ quantity: 2500, unit_price: 1999 }, { quantity: 3000, unit_price: 333, discount_bp: 1250 }] }
  previewRecord(meta, rec)
  assert.deepEqual([rec.lines[0].gross, rec.lines[0].amount], [4998, 4998])
  assert.deepEqual([rec.lines[1].gross, rec.lines[1].discount, rec.lines[1].amount], [999, 125, 874])
  assert.deepEqual([rec.subtotal, rec.total_qty, rec.tax, rec.total], [5872, 5500, 763, 6635])
})

test('a line still being typed (empty fields) counts as zero', () => {
  const rec = { tax_rate_bp: 1300, lines: [{ quantity: null, unit_price: 1999 }] }
  previewRecord(meta, rec)
  assert.equal(rec.lines[0].amount, 0)
  assert.equal(rec.total, 0)
})

test('muldiv rounds half away from zero', () => {
  assert.equal(muldiv(5n, 1n, 1n, 10n), 1n)
  assert.equal(muldiv(-5n, 1n, 1n, 10n), -1n)
  assert.equal(muldiv(4n, 1n, 1n, 10n), 0n)
})

test('quantities are typed as decimals and kept in thousandths', () => {
  assert.equal(stringToMilli('12.5'), 12500)
  assert.equal(stringToMilli('3'), 3000)
  assert.equal(stringToMilli('0.001'), 1)
  assert.equal(stringToMilli('-1.25'), -1250)
  assert.equal(stringToMilli('1,234.5'), 1234500)
  assert.equal(stringToMilli('1.2345'), null)
  assert.equal(stringToMilli('abc'), null)
  assert.equal(milliToString(12500), '12.5')
  assert.equal(milliToString(3000), '3')
  assert.equal(milliToString(-1), '-0.001')
})

test('a ratio is a rate in basis points, rounded once, 0 over a zero base (quotes margin_bp)', () => {
  const m = {
    fields: [{ name: 'profit', type: 'money' }, { name: 'subtotal', type: 'money' }, { name: 'margin_bp', type: 'percent_bp' }],
    computes: [{ field: 'margin_bp', op: 'ratio', a: 'profit', b: 'subtotal' }],
  }
  const at = (profit, subtotal) => previewRecord(m, { profit, subtotal }).margin_bp
  assert.deepEqual([at(2345, 10000), at(1, 3), at(2, 3), at(-1, 3), at(5, 0)], [2345, 3333, 6667, -3333, 0])
})
