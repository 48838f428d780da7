// calendar.test.mjs — issue 9 mechanism 7: the company calendar. The time zone is a setting
// (company.time_zone, default Asia/Shanghai) that every local date obeys — document-number years
// and export times at a year boundary; the working calendar (weekly pattern, working hours, dated
// holidays and make-up workdays kept by administrators) answers working-day arithmetic across
// China's National Day week.
import { useServer, test, assert, expectError, expectStatus, parseCsv } from './lib/harness.mjs';

// 2026-12-31T17:00Z: 2027-01-01 01:00 in Shanghai, 2026-12-31 12:00 in UTC-5 (Etc/GMT+5)
const NEW_YEAR = '2026-12-31T17:00:00Z';
let rep, east;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'CA-EAST');
  rep = await srv.userClient('ca.rep', ['sales_rep'], east.id, { display_name: '张伟' });
}, { env: { SALESLOOP_NOW: NEW_YEAR } });
const D = '/api/v1/test_documents';
const CAL = '/api/v1/calendar';

async function setting(key, value) {
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value }), 200, `setting ${key}`);
}
async function newDoc(c) {
  return expectStatus(await c.post(D, { title: '跨年单据', lines: [{ item: '螺栓', quantity: 1000, unit_price: 100 }] }), 201, 'document');
}
// the National Day week of the tests: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked
async function nationalDay() {
  for (let d = 1; d <= 7; d++) {
    expectStatus(await srv.admin.put(`${CAL}/days/2026-10-0${d}`, { kind: 'holiday', name: '国庆节' }), 200, `holiday 10-0${d}`);
  }
  expectStatus(await srv.admin.put(`${CAL}/days/2026-09-27`, { kind: 'workday', name: '国庆节调休' }), 200, 'make-up Sunday');
  expectStatus(await srv.admin.put(`${CAL}/days/2026-10-10`, { kind: 'workday', name: '国庆节调休' }), 200, 'make-up Saturday');
}
async function addDays(date, add) {
  const r = await rep.get(`${CAL}/working_days?date=${date}&add=${add}`);
  expectStatus(r, 200, `working_days ${date} ${add}`);
  return r.body.result;
}

test('CA01 the zone is a setting: Asia/Shanghai by default, chosen from the zone table; an unknown zone is refused', async () => {
  const s = expectStatus(await srv.admin.get('/api/v1/settings'), 200, 'settings').items.find((x) => x.key === 'company.time_zone');
  assert.deepEqual([s.value, s.default, s.type], ['Asia/Shanghai', 'Asia/Shanghai', 'enum']);
  assert.ok(s.values.some((v) => v.value === 'Etc/GMT+5' && v.label === 'Etc/GMT+5 (UTC-05:00)'), 'UTC-5 offered');
  expectError(await srv.admin.put('/api/v1/settings/company.time_zone', { value: 'America/New_York' }), 400, 'field.enum', 'company.time_zone');
  expectError(await srv.admin.put('/api/v1/settings/company.time_zone', { value: 'Mars/Olympus' }), 400, 'field.enum', 'company.time_zone');
  const cal = expectStatus(await rep.get(CAL), 200, 'calendar');
  assert.deepEqual([cal.time_zone, cal.utc_offset_minutes, cal.today], ['Asia/Shanghai', 480, '2027-01-01']);
});

test('CA02 document-number years follow the zone: 2026-12-31T17:00Z numbers 2027 in Shanghai, 2026 in UTC-5', async () => {
  const a = await newDoc(rep);
  assert.match(a.number, /^TD-2027-\d{6}$/);
  await setting('company.time_zone', 'Etc/GMT+5');
  try {
    const b = await newDoc(rep);
    assert.match(b.number, /^TD-2026-\d{6}$/);
    assert.equal(expectStatus(await rep.get(CAL), 200).today, '2026-12-31');
  } finally {
    await setting('company.time_zone', 'Asia/Shanghai');
  }
});

test('CA03 exported times are in the company zone: the same instant is 2027-01-01 01:00 in Shanghai, 2026-12-31 12:00 in UTC-5', async () => {
  const cust = expectStatus(await rep.post('/api/v1/customers', { name: '跨年导出测试有限公司', source: 'online' }), 201, 'customer');
  const o = expectStatus(await rep.post('/api/v1/opportunities', { name: '跨年商机', customer_id: cust.id }), 201, 'opportunity');
  const col = async () => {
    const r = await rep.get(`/api/v1/opportunities/export.csv?filter[customer_id]=${cust.id}`);
    expectStatus(r, 200, 'csv');
    const rows = parseCsv(r.text).filter((x) => x.length > 1);
    const i = rows[0].indexOf('进入当前阶段');
    assert.ok(i >= 0, `state_since column: ${rows[0]}`);
    assert.equal(rows.length, 2, 'one row');
    return rows[1][i];
  };
  assert.equal(o.state_since, Date.parse(NEW_YEAR) / 1000);
  assert.equal(await col(), '2027-01-01 01:00');
  await setting('company.time_zone', 'Etc/GMT+5');
  try {
    assert.equal(await col(), '2026-12-31 12:00');
  } finally {
    await setting('company.time_zone', 'Asia/Shanghai');
  }
});

test('CA04 administrators keep the holidays and make-up workdays; others read them and cannot change them', async () => {
  await nationalDay();
  const cal = expectStatus(await rep.get(`${CAL}?year=2026`), 200, 'calendar 2026');
  assert.deepEqual(cal.items.map((x) => `${x.date} ${x.kind} ${x.name} ${x.weekday}`), [
    '2026-09-27 workday 国庆节调休 7',
    '2026-10-01 holiday 国庆节 4', '2026-10-02 holiday 国庆节 5', '2026-10-03 holiday 国庆节 6',
    '2026-10-04 holiday 国庆节 7', '2026-10-05 holiday 国庆节 1', '2026-10-06 holiday 国庆节 2',
    '2026-10-07 holiday 国庆节 3', '2026-10-10 workday 国庆节调休 6',
  ]);
  assert.equal(cal.items[0].kind_label, '调休上班');
  assert.deepEqual([cal.weekdays, cal.working_weekdays, cal.work_hours, cal.work_day_seconds], ['mon_fri', [1, 2, 3, 4, 5], '09:00-18:00', 32400]);
  assert.equal(expectStatus(await rep.get(`${CAL}?year=2027`), 200).items.length, 0);
  expectError(await rep.put(`${CAL}/days/2026-10-08`, { kind: 'holiday' }), 403, 'auth.forbidden');
  expectError(await rep.del(`${CAL}/days/2026-10-01`), 403, 'auth.forbidden');
});

test('CA05 a calendar day is validated: a real date, kind holiday|workday, a name of at most 100 characters', async () => {
  expectError(await srv.admin.put(`${CAL}/days/2026-02-30`, { kind: 'holiday' }), 400, 'field.format', 'date');
  expectError(await srv.admin.put(`${CAL}/days/10-01`, { kind: 'holiday' }), 400, 'field.format', 'date');
  expectError(await srv.admin.put(`${CAL}/days/2026-05-01`, {}), 400, 'field.required', 'kind');
  expectError(await srv.admin.put(`${CAL}/days/2026-05-01`, { kind: 'vacation' }), 400, 'field.enum', 'kind');
  expectError(await srv.admin.put(`${CAL}/days/2026-05-01`, { kind: 'holiday', name: 7 }), 400, 'field.type', 'name');
  expectError(await srv.admin.put(`${CAL}/days/2026-05-01`, { kind: 'holiday', name: '节'.repeat(101) }), 400, 'field.too_long', 'name');
  expectError(await srv.admin.del(`${CAL}/days/2026-05-01`), 404, 'record.not_found');
  const put = expectStatus(await srv.admin.put(`${CAL}/days/2026-05-01`, { kind: 'holiday', name: '劳动节' }), 200, 'May Day');
  assert.deepEqual(put, { date: '2026-05-01', kind: 'holiday', name: '劳动节', weekday: 5 });
  expectStatus(await srv.admin.del(`${CAL}/days/2026-05-01`), 204, 'removed');
  assert.equal(await addDays('2026-05-01', 0), '2026-05-01', 'a Friday that works again');
});

test('CA06 working-day arithmetic across the National Day week, its make-up Saturday and a weekend', async () => {
  await nationalDay();
  assert.equal(await addDays('2026-09-30', 1), '2026-10-08', 'over the seven holidays');
  assert.equal(await addDays('2026-09-30', 3), '2026-10-10', 'Thursday, Friday, the make-up Saturday');
  assert.equal(await addDays('2026-09-30', 4), '2026-10-12', 'Sunday 10-11 is no working day');
  assert.equal(await addDays('2026-09-25', 1), '2026-09-27', 'the make-up Sunday');
  assert.equal(await addDays('2026-10-08', -1), '2026-09-30', 'backwards');
  assert.equal(await addDays('2026-10-02', 0), '2026-10-08', 'zero from a holiday: the next working day');
  const r = expectStatus(await rep.get(`${CAL}/working_days?date=2026-10-10&add=0`), 200);
  assert.equal(r.working_day, true);
  expectError(await rep.get(`${CAL}/working_days?date=2026-10-32&add=1`), 400, 'request.bad_query', 'date');
  expectError(await rep.get(`${CAL}/working_days?date=2026-10-01&add=x`), 400, 'request.bad_query', 'add');
});

test('CA07 working time counts the working hours (a setting) of working days, in the company zone', async () => {
  await nationalDay();
  const t = (s) => Date.parse(s) / 1000;
  // Wednesday 09-30 17:00 Shanghai -> Thursday 10-08 10:00: one hour before the holiday, one after
  let r = expectStatus(await rep.get(`${CAL}/working_time?from=${t('2026-09-30T09:00:00Z')}&to=${t('2026-10-08T02:00:00Z')}`), 200);
  assert.equal(r.seconds, 7200);
  // two working days (18 h) from Wednesday 17:00 end Friday 10-09 17:00 Shanghai
  r = expectStatus(await rep.get(`${CAL}/working_time?from=${t('2026-09-30T09:00:00Z')}&seconds=${18 * 3600}`), 200);
  assert.equal(r.to, t('2026-10-09T09:00:00Z'));
  await setting('calendar.work_hours', '08:30-17:30');
  try {
    r = expectStatus(await rep.get(`${CAL}/working_time?from=${t('2026-09-30T09:00:00Z')}&to=${t('2026-10-08T02:00:00Z')}`), 200);
    assert.equal(r.seconds, 30 * 60 + 90 * 60, '17:00-17:30 and 08:30-10:00');
  } finally {
    await setting('calendar.work_hours', '09:00-18:00');
  }
  expectError(await srv.admin.put('/api/v1/settings/calendar.work_hours', { value: '18:00-09:00' }), 400, 'field.format', 'calendar.work_hours');
  expectError(await srv.admin.put('/api/v1/settings/calendar.work_hours', { value: '9-18' }), 400, 'field.format', 'calendar.work_hours');
});

test('CA08 the working week is a setting: Monday to Saturday makes 10-03 still a holiday and 10-17 a working day', async () => {
  await nationalDay();
  assert.equal(await addDays('2026-10-16', 1), '2026-10-19');
  await setting('calendar.weekdays', 'mon_sat');
  try {
    assert.equal(await addDays('2026-10-16', 1), '2026-10-17');
    assert.equal(await addDays('2026-10-02', 0), '2026-10-08', 'a dated holiday beats the weekly pattern');
  } finally {
    await setting('calendar.weekdays', 'mon_fri');
  }
});
