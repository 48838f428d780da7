// node --test web/test/ — unit tests of the money helpers (no browser, no build).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatMoney, formatMoneyCurrency, yuanToFen, fenToYuanString, moneyUpper } from '../src/utils/money.js'

test('formatMoney groups thousands and keeps two decimals', () => {
  assert.equal(formatMoney(123456), '1,234.56')
  assert.equal(formatMoney(0), '0.00')
  assert.equal(formatMoney(5), '0.05')
  assert.equal(formatMoney(-5), '-0.05')
  assert.equal(formatMoney(100), '1.00')
  assert.equal(formatMoney(123456789012), '1,234,567,890.12')
  assert.equal(formatMoney(9007199254740991), '90,071,992,547,409.91')
  assert.equal(formatMoney(null), '')
  assert.equal(formatMoneyCurrency(-123456), '-¥1,234.56')
  assert.equal(fenToYuanString(123456), '1234.56')
})

test('yuanToFen converts exactly with string math', () => {
  assert.equal(yuanToFen('0.1'), 10)
  assert.equal(yuanToFen('0.29'), 29) // 0.29*100 = 28.999999999999996 in floats
  assert.equal(yuanToFen('1.005'), null) // three decimals refused
  assert.equal(yuanToFen('1,234.56'), 123456)
  assert.equal(yuanToFen('¥12.3'), 1230)
  assert.equal(yuanToFen('-0.05'), -5)
  assert.equal(yuanToFen('12.'), 1200)
  assert.equal(yuanToFen('.5'), 50)
  assert.equal(yuanToFen('4.35'), 435) // 4.35*100 = 434.99999999999994
  assert.equal(yuanToFen('90071992547409.91'), 9007199254740991)
  assert.equal(yuanToFen('90071992547409.92'), null)
  assert.equal(yuanToFen(''), null)
  assert.equal(yuanToFen('.'), null)
  assert.equal(yuanToFen('abc'), null)
  assert.equal(yuanToFen('1e3'), null)
})

test('moneyUpper writes Chinese capital numerals', () => {
  assert.equal(moneyUpper(1234567), '壹万贰仟叁佰肆拾伍元陆角柒分')
  assert.equal(moneyUpper(0), '零元整')
  assert.equal(moneyUpper(100), '壹元整')
  assert.equal(moneyUpper(105), '壹元零伍分')
  assert.equal(moneyUpper(50), '伍角')
  assert.equal(moneyUpper(7), '柒分')
  assert.equal(moneyUpper(1000), '壹拾元整')
  assert.equal(moneyUpper(1001000), '壹万零壹拾元整')
  assert.equal(moneyUpper(100100000), '壹佰万壹仟元整')
  assert.equal(moneyUpper(100010000), '壹佰万零壹佰元整')
  assert.equal(moneyUpper(10000000100), '壹亿零壹元整')
  assert.equal(moneyUpper(1000000000000), '壹佰亿元整')
  assert.equal(moneyUpper(100000000000000n * 100n), '壹佰万亿元整')
  assert.equal(moneyUpper(1010), '壹拾元壹角')
  assert.equal(moneyUpper(-250), '负贰元伍角')
  assert.equal(moneyUpper(40050), '肆佰元伍角')
  assert.equal(moneyUpper(1234500), '壹万贰仟叁佰肆拾伍元整')
  assert.equal(moneyUpper(100000100), '壹佰万零壹元整')
})
