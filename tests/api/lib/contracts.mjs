// contracts.mjs — shared steps for tests that need contracts (contracts, orders, receivables):
// the people of a review, a contract made and walked through its review to signed.
import { expectStatus } from './harness.mjs';

export const C = '/api/v1/contracts';
export const DEPARTMENTS = ['tech', 'production', 'qc', 'purchasing', 'finance', 'legal', 'warehouse'];

/* Every signer of a contract review in unit `unitId`, as clients: { mgr, gm, tech, ..., warehouse }. */
export async function reviewers(srv, unitId, prefix) {
  const out = {
    mgr: await srv.userClient(`${prefix}.mgr`, ['sales_manager'], unitId),
    gm: await srv.userClient(`${prefix}.gm`, ['gm'], 1),
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

/* Submit a draft contract and have every asked reviewer approve; then sign it on `signedOn`.
   Returns the signed row. `rep` owns it, `ppl` comes from reviewers(). */
export async function reviewAndSign(rep, ppl, contract, signedOn = '2026-06-02') {
  let row = expectStatus(await act(rep, contract, 'submit'), 200, 'submit');
  if (row.classification === 'special') {
    for (const d of DEPARTMENTS) await verdict(rep, ppl[d], row, 'approve', { comment: '同意' });
    await verdict(rep, ppl.gm, row, 'approve', { comment: '同意签订' });
  } else {
    await verdict(rep, ppl.mgr, row, 'approve', { comment: '同意' });
  }
  row = expectStatus(await rep.get(`${C}/${contract.id}`), 200);
  return expectStatus(await act(rep, row, 'sign', { signed_on: signedOn }), 200, 'sign');
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
