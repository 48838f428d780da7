// contracts.mjs — shared steps for tests that need contracts (contracts, orders, receivables):
// the people of a review, a contract made and walked through its review to signed.
import { expectStatus } from './harness.mjs';

export const C = '/api/v1/contracts';
export const DEPARTMENTS = ['tech', 'production', 'qc', 'purchasing', 'finance', 'legal', 'warehouse'];
/* The signer of a review task's role among reviewers()' clients. */
export const SIGNER = { sales_manager: 'mgr', gm: 'gm', deputy_director: 'deputy', sales_director: 'director' };
export const signerOf = (ppl, role) => ppl[SIGNER[role] || role];

/* Every signer of a contract review in unit `unitId`, as clients: { mgr, gm, deputy, director,
   tech, ..., warehouse } (the deputy GM coordinates a special review; the sales director signs it
   off when the settings say so). */
export async function reviewers(srv, unitId, prefix) {
  const out = {
    mgr: await srv.userClient(`${prefix}.mgr`, ['sales_manager'], unitId),
    gm: await srv.userClient(`${prefix}.gm`, ['gm'], 1),
    deputy: await srv.userClient(`${prefix}.deputy`, ['deputy_director'], 1),
    director: await srv.userClient(`${prefix}.director`, ['sales_director'], 1),
  };
  for (const d of DEPARTMENTS) out[d] = await srv.userClient(`${prefix}.${d}`, [d], 1);
  return out;
}

export const act = (c, row, action, body = {}) =>
  c.post(`${C}/${row.id}/actions/${action}`, { version: row.version, ...body });

/* The row's current version as `reader` sees it, then `c` gives its verdict (200 expected). */
export async function verdict(reader, c, row, action, body = {}) {
  const cur = expectStatus(await reader.get(`${C}/${row.id}`), 200);
  return expectStatus(await act(c, cur, action, body), 200, `${c.user.username} ${action}`);
}

/* The review tasks of the contract's latest round waiting for a signature: [{step, role}]. */
export async function pendingTasks(reader, row) {
  const { rounds } = expectStatus(await reader.get(`${C}/${row.id}/approvals`), 200);
  const last = rounds[rounds.length - 1];
  return (last ? last.steps : []).flatMap((st) =>
    st.tasks.filter((t) => t.status === 'pending').map((t) => ({ step: st.name, role: t.role })));
}

/* A PDF small enough for a test: the scanned, signed copy of a contract. */
export const SIGNED_COPY = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/* Attach the signed copy to the contract as its owner `rep` (201 expected). */
export async function attachSignedCopy(rep, row, name = '合同扫描件.pdf') {
  return expectStatus(await rep.post(`${C}/${row.id}/attachments?name=${encodeURIComponent(name)}`, SIGNED_COPY,
    { headers: { 'Content-Type': 'application/octet-stream' } }), 201, 'signed copy');
}

/* Have every asked reviewer approve, step by step, until the review ends; the row as `rep` sees it. */
export async function approveAll(rep, ppl, row) {
  for (let i = 0; i < 12; i++) {
    const cur = expectStatus(await rep.get(`${C}/${row.id}`), 200);
    if (cur.state !== 'in_review') return cur;
    for (const t of await pendingTasks(rep, cur))
      await verdict(rep, signerOf(ppl, t.role), cur, 'approve', { comment: '同意' });
  }
  throw new Error(`contract ${row.id} still in review`);
}

/* Submit a draft contract and have every asked reviewer approve; then attach its signed copy and
   sign it on `signedOn` (a change with the customer's confirmation). Returns the signed row.
   `rep` owns it, `ppl` comes from reviewers(). */
export async function reviewAndSign(rep, ppl, contract, signedOn = '2026-06-02') {
  const cur = expectStatus(await rep.get(`${C}/${contract.id}`), 200);
  expectStatus(await act(rep, cur, 'submit'), 200, 'submit');
  const row = await approveAll(rep, ppl, contract);
  if (row.state !== 'approved') throw new Error(`contract ${contract.id} ended its review ${row.state}`);
  await attachSignedCopy(rep, row);
  const body = { signed_on: signedOn };
  if (row.is_change)
    Object.assign(body, { change_confirmed_by: '客户采购部 王经理', change_confirmed_on: signedOn, change_confirmed_via: 'supplement' });
  return expectStatus(await act(rep, row, 'sign', body), 200, 'sign');
}

/* A general contract of `customer` for one line of `product` (quantity in thousandths, price in
   fen), tax 13 %, paid in two instalments (30 % prepayment, the rest on delivery). */
export function contractBody(customer, product, quantity, unitPrice, extra = {}) {
  const subtotal = Math.round((quantity * unitPrice) / 1000);
  const total = subtotal + Math.round((subtotal * 1300) / 10000);
  const first = Math.round(total * 0.3);
  return {
    customer_id: customer.id, title: '销售合同', delivery_date: '2026-07-01',
    lines: [{ product_id: product.id, quantity, unit_price: unitPrice }],
    instalments: [
      { term: 'prepayment', due_date: '2026-06-10', amount: first },
      { term: 'delivery', due_date: '2026-07-10', amount: total - first },
    ],
    ...extra,
  };
}
