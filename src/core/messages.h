/*
** messages.h — the texts the server itself writes into the database
** (reminders, reasons, notices), as keys with parameters: what is stored is
** {"m":"<key>","p":{"name":"…"}}, and each reader sees it in their own
** language (R-NF-2), rendered by msg_render (model/messages.c). Keys never
** change once shipped; a parameter may itself be a message ({"m":…}).
*/
#ifndef SALESLOOP_MESSAGES_H
#define SALESLOOP_MESSAGES_H

/* X(key, zh-CN, zh-TW, en) — {name} is replaced by the parameter "name". */
#define MESSAGES(X)                                                                                                    \
    X("referral.customer", "转介绍客户「{name}」按转介绍规则归属您（录入人：{by}）",                                   \
      "轉介紹客戶「{name}」依轉介紹規則歸屬您（錄入人：{by}）",                                                        \
      "Referred customer \"{name}\" is yours by the referral rule (entered by {by})")                                  \
    X("referral.lead", "转介绍线索「{name}」按转介绍规则归属您（录入人：{by}）",                                       \
      "轉介紹線索「{name}」依轉介紹規則歸屬您（錄入人：{by}）",                                                        \
      "Referred lead \"{name}\" is yours by the referral rule (entered by {by})")                                      \
    X("referral.claim", "转介绍：{what}「{name}」的转介绍客户归您负责，已提交经理裁决（{number}）",                    \
      "轉介紹：{what}「{name}」的轉介紹客戶歸您負責，已提交經理裁決（{number}）",                                      \
      "Referral: the referrer of {what} \"{name}\" is your customer; a manager will decide ({number})")                \
    X("referral.claim_reason", "转介绍规则：转介绍客户的负责人应得此记录（系统提交，录入人看不到转介绍客户）",         \
      "轉介紹規則：轉介紹客戶的負責人應得此記錄（系統提交，錄入人看不到轉介紹客戶）",                                  \
      "Referral rule: the owner of the referring customer should get this record (filed by the system; the "           \
      "creator cannot see the referrer)")                                                                              \
    X("what.customer", "客户", "客戶", "customer")                                                                     \
    X("what.lead", "线索", "線索", "lead")                                                                             \
    X("claim.decided", "撞单申诉 {number} 已裁决：{decision}（{name}）",                                               \
      "撞單申訴 {number} 已裁決：{decision}（{name}）", "Collision claim {number} decided: {decision} ({name})")       \
    X("claim.keep", "维持原负责人", "維持原負責人", "keep the owner")                                                  \
    X("claim.transfer", "转给申诉人", "轉給申訴人", "transfer to the claimant")                                        \
    X("claim.share", "共享", "共享", "share")                                                                          \
    X("pool.returned", "{what}「{name}」已退回公海：{reason}", "{what}「{name}」已退回公海：{reason}",                 \
      "{what} \"{name}\" went back to the public pool: {reason}")                                                      \
    X("pool.released", "{by}放弃：{reason}", "{by}放棄：{reason}", "given up by {by}: {reason}")                       \
    X("pool.assigned", "{by}将公海{what}「{name}」分配给您", "{by}將公海{what}「{name}」分配給您",                     \
      "{by} assigned the pooled {what} \"{name}\" to you")                                                             \
    X("care.birthday", "客户联系人 {name}（{customer}）生日 {date}", "客戶聯絡人 {name}（{customer}）生日 {date}",     \
      "Birthday of {name} ({customer}) on {date}")                                                                     \
    X("care.holiday", "节日关怀：{holiday}（{date}）问候客户 {customer}",                                              \
      "節日關懷：{holiday}（{date}）問候客戶 {customer}",                                                              \
      "Holiday greeting: {holiday} ({date}), greet customer {customer}")                                               \
    X("care.need_review", "客户需求复核：{description}（复核日 {date}）",                                              \
      "客戶需求複核：{description}（複核日 {date}）", "Review a customer need: {description} (due {date})")            \
    X("survey.low_score", "满意度调查低分：{customer}（总分 {overall}），请跟进",                                      \
      "滿意度調查低分：{customer}（總分 {overall}），請跟進",                                                          \
      "Low survey score: {customer} (overall {overall}); follow up")                                                   \
    X("visit.confirm_tomorrow", "明天上门回访 {customer}（{date}）：请今天与客户确认",                                 \
      "明天上門回訪 {customer}（{date}）：請今天與客戶確認",                                                           \
      "On-site visit to {customer} tomorrow ({date}): confirm it with the customer today")                             \
    X("survey.low_score_detail", "满意度调查“{survey}”的答卷低分：总分 {overall}，各维度得分（×100）{dimensions}",     \
      "滿意度調查「{survey}」的答卷低分：總分 {overall}，各維度得分（×100）{dimensions}",                              \
      "A low answer to the survey \"{survey}\": overall {overall}, dimensions (×100) {dimensions}")                    \
    X("followup.plan_overdue", "跟进计划逾期：{name}（{what}，计划日期 {date}）",                                      \
      "跟進計畫逾期：{name}（{what}，計畫日期 {date}）",                                                               \
      "Follow-up plan overdue: {name} ({what}, planned for {date})")                                                   \
    X("followup.overdue", "跟进逾期：{name}（{what}，约定日期 {date}）",                                               \
      "跟進逾期：{name}（{what}，約定日期 {date}）", "Follow-up overdue: {name} ({what}, agreed for {date})")          \
    X("pool.auto_return", "超过 {days} 天未跟进{by_line}，自动退回公海（最近跟进或领取：{date}）",                     \
      "超過 {days} 天未跟進{by_line}，自動退回公海（最近跟進或領取：{date}）",                                         \
      "No follow-up for over {days} days{by_line}: returned to the public pool (last follow-up or claim: {date})")     \
    X("pool.by_line", "（按产品线保护期）", "（依產品線保護期）", " (product-line protection)")                        \
    X("review.changed", "重新审批：{what} {title} 已修改 {fields}", "重新審批：{what} {title} 已修改 {fields}",        \
      "Review again: {what} {title} changed {fields}")                                                                 \
    X("review.resubmitted", "重新审批：{what} {title} 重新提交", "重新審批：{what} {title} 重新提交",                  \
      "Review again: {what} {title} resubmitted")                                                                      \
    X("deadline.overdue", "{what}超期：{title}（{label} 超过 {amount} {unit}）",                                       \
      "{what}逾期：{title}（{label} 超過 {amount} {unit}）", "{what} overdue: {title} ({label} over {amount} {unit})") \
    X("deadline.escalated", "{what}超期升级：{title}（{label} 超过 {amount} {unit}）",                                 \
      "{what}逾期升級：{title}（{label} 超過 {amount} {unit}）",                                                       \
      "{what} overdue, escalated: {title} ({label} over {amount} {unit})")                                             \
    X("unit.hours", "小时", "小時", "hours")                                                                           \
    X("unit.working_hours", "个工作小时", "個工作小時", "working hours")                                               \
    X("unit.days", "天", "天", "days")                                                                                 \
    X("unit.working_days", "个工作日", "個工作日", "working days")                                                     \
    X("approval.overdue", "审批超时：{what} {title} · {step}", "審批逾時：{what} {title} · {step}",                    \
      "Approval overdue: {what} {title} · {step}")                                                                     \
    X("contract.reasons", "{list}", "{list}", "{list}")                                                                \
    X("contract.signed", "合同已签订：{title}（{customer}），交货日期 {date}，请安排采购与生产",                       \
      "合約已簽訂：{title}（{customer}），交貨日期 {date}，請安排採購與生產",                                          \
      "Contract signed: {title} ({customer}), delivery {date}: plan purchasing and production")                        \
    X("tier.manual", "人工定级（{by}）：{reason}", "人工定級（{by}）：{reason}", "Set by hand ({by}): {reason}")       \
    X("tier.important_amount", "近12个月采购额 {amount} ≥ {threshold}", "近12個月採購額 {amount} ≥ {threshold}",       \
      "Purchases in the last 12 months {amount} ≥ {threshold}")                                                        \
    X("tier.important_rank", "近12个月采购额 {amount}，位列前 {percent}%",                                             \
      "近12個月採購額 {amount}，位列前 {percent}%", "Purchases in the last 12 months {amount}, in the top {percent}%") \
    X("tier.key_amount", "近12个月采购额 {amount} ≥ {threshold}", "近12個月採購額 {amount} ≥ {threshold}",             \
      "Purchases in the last 12 months {amount} ≥ {threshold}")                                                        \
    X("tier.key_orders", "近12个月采购 {orders} 次 ≥ {threshold} 次", "近12個月採購 {orders} 次 ≥ {threshold} 次",     \
      "{orders} purchases in the last 12 months ≥ {threshold}")                                                        \
    X("tier.key_potential", "潜在价值 {amount} ≥ {threshold}", "潛在價值 {amount} ≥ {threshold}",                      \
      "Potential value {amount} ≥ {threshold}")                                                                        \
    X("tier.normal", "近12个月采购额 {amount}、{orders} 次，未达关键客户标准",                                         \
      "近12個月採購額 {amount}、{orders} 次，未達關鍵客戶標準",                                                        \
      "Purchases in the last 12 months {amount} in {orders} orders: below the key-customer bar")                       \
    X("job.interrupted", "服务器重启，任务中断，请重新提交", "伺服器重新啟動，任務中斷，請重新提交",                   \
      "The server restarted during the job; please start it again")                                                    \
    X("job.failed", "任务失败（{detail}）", "任務失敗（{detail}）", "The job failed ({detail})")                       \
    X("job.cancelled", "任务已取消", "任務已取消", "The job was cancelled")                                            \
    X("job.too_many_rows", "超过 {max} 行，请缩小筛选范围", "超過 {max} 列，請縮小篩選範圍",                           \
      "More than {max} rows: narrow the filter")                                                                       \
    X("receivable.overdue", "催收：合同 {number}（{customer}）{term}应于 {date} 回款，尚欠 {amount} 元",               \
      "催收：合約 {number}（{customer}）{term}應於 {date} 回款，尚欠 {amount} 元",                                     \
      "Collect: contract {number} ({customer}), {term} was due on {date}; {amount} yuan outstanding")                  \
    X("receivable.escalated", "催收升级：{owner} 的合同 {number}（{customer}）{term}逾期 {days} 天，尚欠 {amount} 元", \
      "催收升級：{owner} 的合約 {number}（{customer}）{term}逾期 {days} 天，尚欠 {amount} 元",                         \
      "Collection escalated: {owner}'s contract {number} ({customer}), {term} {days} days overdue; {amount} yuan "     \
      "outstanding")                                                                                                   \
    X("order.accepted", "订单 {number} 已确认（客户 {customer}，交货 {date}），请安排生产与采购",                      \
      "訂單 {number} 已確認（客戶 {customer}，交貨 {date}），請安排生產與採購",                                        \
      "Order {number} accepted (customer {customer}, delivery {date}): plan production and purchasing")                \
    X("order.followup", "交付回访：订单 {number}（客户 {customer}）于 {date} 签收，请于 {due} 回访",                   \
      "交付回訪：訂單 {number}（客戶 {customer}）於 {date} 簽收，請於 {due} 回訪",                                     \
      "Follow-up visit: order {number} ({customer}) received on {date}, visit on {due}")                               \
    X("order.tech_changed",                                                                                            \
      "技术状态变更：产品 {product} 由“{from}”改为“{to}”，请告知客户 {customer}（订单 {number}）并记录",               \
      "技術狀態變更：產品 {product} 由「{from}」改為「{to}」，請告知客戶 {customer}（訂單 {number}）並記錄",           \
      "Technical state changed: {product} from \"{from}\" to \"{to}\"; tell {customer} (order {number}) and record "   \
      "it")                                                                                                            \
    X("order.release_requested", "紧急放行待批准：订单 {number} 批次 {lot}，数量 {quantity}",                          \
      "緊急放行待核准：訂單 {number} 批次 {lot}，數量 {quantity}",                                                     \
      "Emergency release to approve: order {number}, lot {lot}, quantity {quantity}")

#endif
