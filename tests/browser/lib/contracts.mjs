// contracts.mjs — browser tests' setup of a signed contract through the API: the contract is
// submitted, every review task is approved by a reviewer of its role (the manager of the owner's
// unit is the fixture's; the others are made once per role), the signed copy attached, then signed.
import { Client } from './api.mjs'

const SIGNED_COPY = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')

/* base: the server's URL; admin: an admin Client; rep: the owner's Client; mgr: {username, password}
   of the manager over the owner's unit; password: for the reviewers made here. Returns the signed row. */
export async function signContract({ base, admin, rep, mgr, password, rootUnit }, contract, signedOn) {
  let c = await rep.get(`/contracts/${contract.id}`)
  if (c.state === 'draft') c = await rep.post(`/contracts/${c.id}/actions/submit`, { version: c.version })
  const signers = {}
  const signer = async (role) => {
    if (signers[role]) return signers[role]
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
    return (signers[role] = cl)
  }
  for (let i = 0; i < 12 && c.state === 'in_review'; i++) {
    const { rounds } = await rep.get(`/contracts/${c.id}/approvals`)
    const last = rounds[rounds.length - 1]
    for (const st of last.steps)
      for (const t of st.tasks.filter((x) => x.status === 'pending')) {
        const cur = await rep.get(`/contracts/${c.id}`)
        await (await signer(t.role)).post(`/contracts/${c.id}/actions/approve`, { version: cur.version, comment: '同意' })
      }
    c = await rep.get(`/contracts/${c.id}`)
  }
  if (c.state !== 'approved') throw new Error(`contract ${c.id} ended its review ${c.state}`)
  const res = await fetch(`${base}/api/v1/contracts/${c.id}/attachments?name=${encodeURIComponent('合同扫描件.pdf')}`,
    { method: 'POST', headers: { Cookie: rep.cookie, 'X-CSRF-Token': rep.csrf, 'Content-Type': 'application/octet-stream' }, body: SIGNED_COPY })
  if (res.status !== 201) throw new Error(`signed copy: ${res.status} ${await res.text()}`)
  c = await rep.get(`/contracts/${c.id}`)
  return rep.post(`/contracts/${c.id}/actions/sign`, { version: c.version, signed_on: signedOn })
}
