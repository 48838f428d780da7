// contracts.mjs — browser tests' contract review through the API: the pending review tasks (or
// those of some roles) approved by a reviewer of each role (the manager of the owner's unit is the
// fixture's; the others are made once per role), and the signed copy attached.
import { Client } from './api.mjs'

const SIGNED_COPY = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')

/* A signed-in Client per review role: mgr {username, password} for sales_manager, else a user
   `sign.<role>` made once with `password` in rootUnit. */
export function reviewers({ base, admin, mgr, password, rootUnit }) {
  const made = {}
  return async (role) => {
    if (made[role]) return made[role]
    const cl = new Client(base)
    if (role === 'sales_manager') {
      await cl.login(mgr.username, mgr.password)
    } else {
      const username = `sign.${role}`
      try {
        await admin.post('/users', { username, display_name: `${role} 评审人`, password, roles: [role], org_unit_id: rootUnit })
      } catch (e) { if (e.status !== 400 && e.status !== 409) throw e } // made by an earlier test file
      await cl.login(username, password)
    }
    return (made[role] = cl)
  }
}

/* The pending review tasks of the contract's open round approved, step after step, by signer(role);
   only those of `roles` when given (the rest is left to people in the browser). Returns the row. */
export async function approvePending(rep, signer, id, roles) {
  let c = await rep.get(`/contracts/${id}`)
  for (let i = 0; i < 12 && c.state === 'in_review'; i++) {
    const { rounds } = await rep.get(`/contracts/${id}/approvals`)
    const pending = rounds[rounds.length - 1].steps.flatMap((st) => st.tasks)
      .filter((t) => t.status === 'pending' && (!roles || roles.includes(t.role)))
    if (!pending.length) break
    for (const t of pending) {
      const cur = await rep.get(`/contracts/${id}`)
      await (await signer(t.role)).post(`/contracts/${id}/actions/approve`, { version: cur.version, comment: '同意' })
    }
    c = await rep.get(`/contracts/${id}`)
  }
  return c
}

/* The contract's signed copy attached by its owner (a client with cookie and csrf). */
export async function attachSignedCopy(base, rep, id) {
  const res = await fetch(`${base}/api/v1/contracts/${id}/attachments?name=${encodeURIComponent('合同扫描件.pdf')}`,
    { method: 'POST', headers: { Cookie: rep.cookie, 'X-CSRF-Token': rep.csrf, 'Content-Type': 'application/octet-stream' }, body: SIGNED_COPY })
  if (res.status !== 201) throw new Error(`signed copy: ${res.status} ${await res.text()}`)
}
