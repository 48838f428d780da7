/*
** errcodes.h — every machine error code the API can answer with, and its
** message in zh-CN, zh-TW and en. Codes never change once shipped; add new
** ones at the end of their group. {field} is the field's label in the user's
** language, {detail} the argument the code was raised with.
*/
/* X(IDENT, "code", "zh-CN", "zh-TW", "en") */
#define ERRCODES(X)                                                                                                    \
    X(EC_BAD_JSON, "request.bad_json", "请求体不是有效的 JSON：{detail}", "請求內容不是有效的 JSON：{detail}",         \
      "The request body is not valid JSON: {detail}")                                                                  \
    X(EC_BAD_UTF8, "request.bad_utf8", "请求包含无效的 UTF-8 字符", "請求包含無效的 UTF-8 字元",                       \
      "The request contains invalid UTF-8")                                                                            \
    X(EC_TOO_LARGE, "request.too_large", "请求体过大（上限 {detail} 字节）", "請求內容過大（上限 {detail} 位元組）",   \
      "The request body is too large (limit {detail} bytes)")                                                          \
    X(EC_NOT_OBJECT, "request.not_object", "请求体必须是 JSON 对象", "請求內容必須是 JSON 物件",                       \
      "The request body must be a JSON object")                                                                        \
    X(EC_BAD_QUERY, "request.bad_query", "查询参数“{field}”无效：{detail}", "查詢參數「{field}」無效：{detail}",       \
      "Query parameter \"{field}\" is invalid: {detail}")                                                              \
    X(EC_NOT_FOUND, "route.not_found", "接口不存在", "介面不存在", "No such endpoint")                                 \
    X(EC_BAD_METHOD, "route.method_not_allowed", "该接口不支持此方法", "該介面不支援此方法",                           \
      "Method not allowed on this endpoint")                                                                           \
    X(EC_AUTH_REQUIRED, "auth.required", "请先登录", "請先登入", "Please sign in")                                     \
    X(EC_AUTH_BAD, "auth.bad_credentials", "用户名或密码错误", "使用者名稱或密碼錯誤", "Wrong user name or password")  \
    X(EC_AUTH_LOCKED, "auth.locked", "登录失败次数过多，账户已锁定至 {detail}",                                        \
      "登入失敗次數過多，帳戶已鎖定至 {detail}", "Too many failed sign-ins; locked until {detail}")                    \
    X(EC_AUTH_RATE, "auth.rate_limited", "尝试过于频繁，请稍后再试", "嘗試過於頻繁，請稍後再試",                       \
      "Too many attempts; try again later")                                                                            \
    X(EC_AUTH_DISABLED, "auth.disabled", "账户已停用", "帳戶已停用", "This account is disabled")                       \
    X(EC_CSRF, "auth.csrf", "缺少或无效的 CSRF 令牌", "缺少或無效的 CSRF 權杖", "Missing or invalid CSRF token")       \
    X(EC_FORBIDDEN, "auth.forbidden", "没有权限执行此操作", "沒有權限執行此操作", "You are not allowed to do this")    \
    X(EC_WEAK_PASSWORD, "auth.weak_password", "密码至少需要 {detail} 个字符", "密碼至少需要 {detail} 個字元",          \
      "The password needs at least {detail} characters")                                                               \
    X(EC_PASSWORD_COMMON, "auth.password_common", "该密码过于常见，容易被猜中，请换一个",                              \
      "該密碼過於常見，容易被猜中，請換一個", "This password is too common and easily guessed; choose another")        \
    X(EC_PASSWORD_USERNAME, "auth.password_has_username", "密码不能包含用户名", "密碼不能包含使用者名稱",              \
      "The password must not contain the user name")                                                                   \
    X(EC_REQUIRED, "field.required", "“{field}”为必填项", "「{field}」為必填項目", "\"{field}\" is required")          \
    X(EC_TYPE, "field.type", "“{field}”类型错误，应为{detail}", "「{field}」類型錯誤，應為{detail}",                   \
      "\"{field}\" has the wrong type; expected {detail}")                                                             \
    X(EC_TOO_LONG, "field.too_long", "“{field}”过长（最多 {detail} 个字符）",                                          \
      "「{field}」過長（最多 {detail} 個字元）", "\"{field}\" is too long (at most {detail} characters)")              \
    X(EC_TOO_SHORT, "field.too_short", "“{field}”过短（至少 {detail} 个字符）",                                        \
      "「{field}」過短（至少 {detail} 個字元）", "\"{field}\" is too short (at least {detail} characters)")            \
    X(EC_RANGE, "field.range", "“{field}”超出范围（{detail}）", "「{field}」超出範圍（{detail}）",                     \
      "\"{field}\" is out of range ({detail})")                                                                        \
    X(EC_ENUM, "field.enum", "“{field}”的值无效，可选：{detail}", "「{field}」的值無效，可選：{detail}",               \
      "\"{field}\" must be one of: {detail}")                                                                          \
    X(EC_FORMAT, "field.format", "“{field}”格式错误（{detail}）", "「{field}」格式錯誤（{detail}）",                   \
      "\"{field}\" is malformed ({detail})")                                                                           \
    X(EC_UNKNOWN_FIELD, "field.unknown", "未知字段“{field}”", "未知欄位「{field}」", "Unknown field \"{field}\"")      \
    X(EC_READONLY, "field.readonly", "“{field}”不可修改", "「{field}」不可修改", "\"{field}\" cannot be changed")      \
    X(EC_REF, "field.reference", "“{field}”引用的记录不存在", "「{field}」引用的記錄不存在",                           \
      "\"{field}\" refers to a record that does not exist")                                                            \
    X(EC_CODE, "field.code", "“{field}”不是列表中的值（{detail}）", "「{field}」不是清單中的值（{detail}）",           \
      "\"{field}\" is not a value of the list ({detail})")                                                             \
    X(EC_DUPLICATE, "field.duplicate", "“{field}”已存在", "「{field}」已存在", "\"{field}\" already exists")           \
    X(EC_REC_NOT_FOUND, "record.not_found", "记录不存在或无权查看", "記錄不存在或無權查看",                            \
      "The record does not exist or is not visible to you")                                                            \
    X(EC_CONFLICT, "record.conflict", "记录已被他人修改，请刷新后重试", "記錄已被他人修改，請重新整理後再試",          \
      "The record was changed by someone else; reload and try again")                                                  \
    X(EC_VERSION, "record.version_required", "修改或删除时必须提供 version", "修改或刪除時必須提供 version",           \
      "A change or a delete must include the record's version")                                                        \
    X(EC_BAD_STATE, "flow.bad_state", "当前状态“{detail}”下不能执行此操作", "目前狀態「{detail}」下不能執行此操作",    \
      "This action is not possible in state \"{detail}\"")                                                             \
    X(EC_NO_ACTION, "flow.unknown_action", "未知操作“{detail}”", "未知操作「{detail}」",                               \
      "Unknown action \"{detail}\"")                                                                                   \
    X(EC_NOT_SIGNER, "flow.not_signer", "没有等待您签批的审批步骤", "沒有等待您簽核的審批步驟",                        \
      "No approval step is waiting for your signature")                                                                \
    X(EC_GUARD, "flow.guard", "不满足操作条件：{detail}", "不滿足操作條件：{detail}",                                  \
      "The action's condition is not met: {detail}")                                                                   \
    X(EC_COMMENT, "flow.comment_required", "此操作必须填写意见或原因", "此操作必須填寫意見或原因",                     \
      "This action needs a comment or reason")                                                                         \
    X(EC_IMPORT_FILE, "import.bad_file", "无法读取导入文件：{detail}", "無法讀取匯入檔案：{detail}",                   \
      "The import file cannot be read: {detail}")                                                                      \
    X(EC_IMPORT_TYPE, "import.unsupported_type", "不支持的文件类型：{detail}（请使用 CSV 或 XLSX）",                   \
      "不支援的檔案類型：{detail}（請使用 CSV 或 XLSX）", "Unsupported file type: {detail} (use CSV or XLSX)")         \
    X(EC_IMPORT_MAPPING, "import.bad_mapping", "列映射无效：{detail}", "欄位對應無效：{detail}",                       \
      "Invalid column mapping: {detail}")                                                                              \
    X(EC_IMPORT_MISSING, "import.missing_column", "必填字段“{field}”没有对应的列", "必填欄位「{field}」沒有對應的欄",  \
      "No column is mapped to the required field \"{field}\"")                                                         \
    X(EC_IMPORT_AMBIGUOUS, "import.ambiguous", "“{field}”的值“{detail}”匹配到多条记录",                                \
      "「{field}」的值「{detail}」對應到多筆記錄", "\"{field}\": \"{detail}\" matches several records")                \
    X(EC_IMPORT_NOT_FOUND, "import.not_found", "“{field}”的值“{detail}”找不到对应的记录",                              \
      "「{field}」的值「{detail}」找不到對應的記錄", "\"{field}\": no record matches \"{detail}\"")                    \
    X(EC_IMPORT_ROWS, "import.rows_invalid", "有 {detail} 行数据有误，未导入任何数据",                                 \
      "有 {detail} 列資料有誤，未匯入任何資料", "{detail} rows have errors; nothing was imported")                     \
    X(EC_IMPORT_NOT_SUPPORTED, "import.not_supported", "该对象不支持导入", "該物件不支援匯入",                         \
      "This kind of record cannot be imported")                                                                        \
    X(EC_JOB_FINISHED, "job.finished", "任务已结束，无法取消", "任務已結束，無法取消", "The job has already ended")    \
    X(EC_JOB_NO_FILE, "job.no_file", "该任务没有可下载的文件（未完成或已过期）",                                       \
      "該任務沒有可下載的檔案（未完成或已過期）", "The job has no file to download (not finished, or expired)")        \
    X(EC_JOB_KIND, "job.unknown_kind", "未知的任务类型“{detail}”", "未知的任務類型「{detail}」",                       \
      "Unknown job kind \"{detail}\"")                                                                                 \
    X(EC_INTERNAL, "server.internal", "服务器内部错误（请求号 {detail}）", "伺服器內部錯誤（請求編號 {detail}）",      \
      "Internal server error (request {detail})")                                                                      \
    X(EC_UNAVAILABLE, "server.unavailable", "服务器繁忙，请稍后再试", "伺服器忙碌，請稍後再試",                        \
      "The server is busy; try again later")                                                                           \
    X(EC_TIMEOUT, "server.timeout", "请求处理超时", "請求處理逾時", "The request timed out")                           \
    X(EC_COLLISION, "collision.found", "撞单：已有匹配的客户或线索属于{detail}，可提交撞单申诉",                       \
      "撞單：已有相符的客戶或線索屬於{detail}，可提出撞單申訴",                                                        \
      "Collision: a matching customer or lead belongs to {detail}; you may file a claim")                              \
    X(EC_DUP_FOUND, "duplicate.found", "已有匹配的记录：{detail}", "已有相符的記錄：{detail}",                         \
      "A matching record already exists: {detail}")                                                                    \
    X(EC_OWN_RECORD, "collision.own_record", "该记录已归您负责，无需申诉", "該記錄已歸您負責，無需申訴",               \
      "This record is already yours; no claim needed")                                                                 \
    X(EC_CLAIM_EXISTS, "collision.claim_exists", "您对该记录已有待处理的撞单申诉", "您對該記錄已有待處理的撞單申訴",   \
      "You already have a pending claim on this record")                                                               \
    X(EC_POOL_IN, "pool.in_pool", "该记录在公海中，请直接领取", "該記錄在公海中，請直接領取",                          \
      "The record is in the public pool; claim it there")                                                              \
    X(EC_POOL_NOT_IN, "pool.not_in_pool", "该记录不在公海中", "該記錄不在公海中",                                      \
      "The record is not in the public pool")                                                                          \
    X(EC_POOL_CAP, "pool.daily_cap", "今日领取已达上限（{detail} 条）", "今日領取已達上限（{detail} 筆）",             \
      "Daily claim limit reached ({detail})")                                                                          \
    X(EC_POOL_COOLDOWN, "pool.cooldown", "退回公海后冷却期内不能重新领取（{detail} 后可领取）",                        \
      "退回公海後冷卻期內不能重新領取（{detail} 後可領取）",                                                           \
      "You cannot reclaim this record during the cool-down (possible after {detail})")                                 \
    X(EC_PLAN_PERIOD, "plan.period_mismatch", "分解计划的期间必须与上级计划相同（{detail}）",                          \
      "分解計畫的期間必須與上級計畫相同（{detail}）", "An allocated plan must cover its parent's period ({detail})")   \
    X(EC_PLAN_UNIT, "plan.outside_unit", "“{field}”不在计划所属组织范围内", "「{field}」不在計畫所屬組織範圍內",       \
      "\"{field}\" is outside the plan's org unit")                                                                    \
    X(EC_PLAN_OVER, "plan.over_allocated", "“{field}”超出上级计划可分配额度（剩余 {detail}）",                         \
      "「{field}」超出上級計畫可分配額度（剩餘 {detail}）",                                                            \
      "\"{field}\" exceeds what the parent plan has left ({detail} remaining)")                                        \
    X(EC_ROWS_MIN, "lines.too_few", "“{field}”至少需要 {detail} 行", "「{field}」至少需要 {detail} 行",                \
      "\"{field}\" needs at least {detail} rows")                                                                      \
    X(EC_ROWS_MAX, "lines.too_many", "“{field}”最多 {detail} 行", "「{field}」最多 {detail} 行",                       \
      "\"{field}\" has at most {detail} rows")                                                                         \
    X(EC_IN_USE, "record.in_use", "仍有{detail}引用此记录，不能删除", "仍有{detail}引用此記錄，不能刪除",              \
      "Records still refer to this one ({detail}); it cannot be deleted")                                              \
    X(EC_DATE_LIST, "field.date_list",                                                                                 \
      "“{field}”中的“{detail}”不是有效日期（每项为 MM-DD 或 YYYY-MM-DD，后接空格和名称，逗号分隔）",                   \
      "「{field}」中的「{detail}」不是有效日期（每項為 MM-DD 或 YYYY-MM-DD，後接空格和名稱，逗號分隔）",               \
      "\"{field}\": \"{detail}\" is not a valid date (each entry is MM-DD or YYYY-MM-DD, then a space and a name; "    \
      "comma-separated)")                                                                                              \
    X(EC_DAYS_LIST, "field.days_list", "“{field}”中的“{detail}”无效（每项为 名称=天数，天数为整数，逗号分隔）",        \
      "「{field}」中的「{detail}」無效（每項為 名稱=天數，天數為整數，逗號分隔）",                                     \
      "\"{field}\": \"{detail}\" is invalid (each entry is name=days, days an integer; comma-separated)")              \
    X(EC_ATTACH_EMPTY, "attach.empty", "文件为空，未上传", "檔案為空，未上傳",                                         \
      "The file is empty; nothing was attached")                                                                       \
    X(EC_ATTACH_TOO_LARGE, "attach.too_large", "文件过大（上限 {detail} MiB）", "檔案過大（上限 {detail} MiB）",       \
      "The file is too large (limit {detail} MiB)")                                                                    \
    X(EC_ATTACH_TYPE, "attach.type_not_allowed", "不允许上传此类型的文件：{detail}",                                   \
      "不允許上傳此類型的檔案：{detail}", "Files of this type may not be attached: {detail}")                          \
    X(EC_ATTACH_NO_THUMB, "attach.no_thumbnail", "该附件没有缩略图", "該附件沒有縮圖",                                 \
      "This attachment has no thumbnail")                                                                              \
    X(EC_LINK_NOT_FOUND, "public_link.not_found", "链接无效或已失效", "連結無效或已失效",                              \
      "This link is not valid or no longer active")                                                                    \
    X(EC_LINK_RATE, "public_link.rate_limited", "访问过于频繁，请 {detail} 秒后再试",                                  \
      "存取過於頻繁，請 {detail} 秒後再試", "Too many requests; try again in {detail} seconds")                        \
    X(EC_PRINT_NONE, "print.no_layout", "此类记录没有打印格式", "此類記錄沒有列印格式",                                \
      "This kind of record has no print layout")                                                                       \
    X(EC_DELEG_SELF, "delegation.self", "不能把审批委托给自己", "不能把審批委託給自己",                                \
      "You cannot delegate approvals to yourself")                                                                     \
    X(EC_DELEG_PERIOD, "delegation.bad_period", "委托期间无效：结束时间须晚于开始时间和当前时间",                      \
      "委託期間無效：結束時間須晚於開始時間和目前時間",                                                                \
      "Invalid period: the end must come after the start and after now")                                               \
    X(EC_DELEG_OVERLAP, "delegation.overlap", "该期间已有一项委托（#{detail}），请先结束它",                           \
      "該期間已有一項委託（#{detail}），請先結束它",                                                                   \
      "A delegation already covers this period (#{detail}); end it first")                                             \
    X(EC_MERGE_NONE, "merge.not_supported", "此类记录不能合并", "此類記錄不能合併",                                    \
      "Records of this kind cannot be merged")                                                                         \
    X(EC_MERGE_SELF, "merge.same_record", "不能把记录合并到它自己", "不能把記錄合併到它自己",                          \
      "A record cannot be merged into itself")                                                                         \
    X(EC_MERGE_OWNER, "merge.different_owner", "只能合并同一负责人的两条记录（{detail}）",                             \
      "只能合併同一負責人的兩筆記錄（{detail}）", "Only two records of one owner can be merged ({detail})")            \
    X(EC_DELEG_ENDED, "delegation.ended", "该委托已结束", "該委託已結束", "This delegation has already ended")         \
    X(EC_AR_OVER, "receivable.over_collected", "回款超出该期应收：尚欠 {detail} 元",                                   \
      "回款超出該期應收：尚欠 {detail} 元",                                                                            \
      "The payment exceeds what is outstanding on the instalment ({detail} yuan)")                                     \
    X(EC_AR_CONTRACT, "receivable.contract_not_signed", "合同尚未签订，不能登记回款或开票",                            \
      "合約尚未簽訂，不能登記回款或開票", "The contract is not signed: no payment or invoice against it yet")          \
    X(EC_INV_REISSUE, "invoice.bad_reissue", "只能重开已作废且未重开过的发票（{detail}）",                             \
      "只能重開已作廢且未重開過的發票（{detail}）",                                                                    \
      "Only a voided invoice not yet reissued can be reissued ({detail})")                                             \
    X(EC_INV_OVER, "invoice.over_contract", "开票金额超出合同未开票金额（尚可开 {detail} 元）",                        \
      "開票金額超出合約未開票金額（尚可開 {detail} 元）",                                                              \
      "The invoice exceeds what is left to invoice on the contract ({detail} yuan)")                                   \
    X(EC_CHALLENGE, "public_form.challenge", "验证题答案不正确或已失效，请重新获取",                                   \
      "驗證題答案不正確或已失效，請重新取得",                                                                          \
      "The answer to the check question is wrong or expired; get a new question")                                      \
    X(EC_SVC_UNQUALIFIED, "service.assignee_not_qualified", "“{field}”须为具备资格的客服人员（{detail}）",             \
      "「{field}」須為具備資格的客服人員（{detail}）", "\"{field}\" must be qualified service staff ({detail})")       \
    X(EC_CMP_CONTACT, "complaints.contact_customer", "“{field}”须为所选客户的联系人",                                  \
      "「{field}」須為所選客戶的聯絡人", "\"{field}\" must be a contact of the chosen customer")                       \
    X(EC_CMP_ORDER, "complaints.order_customer", "“{field}”须为所选客户的订单", "「{field}」須為所選客戶的訂單",       \
      "\"{field}\" must be an order of the chosen customer")                                                           \
    X(EC_CMP_BATCH, "complaints.batch_not_shipped", "“{field}”不是该订单发出的批号（{detail}）",                       \
      "「{field}」不是該訂單出貨的批號（{detail}）", "\"{field}\" is not a batch shipped on that order ({detail})")    \
    X(EC_VIS_RAISED, "visits.finding_raised", "该问题已转为{detail}", "該問題已轉為{detail}",                          \
      "The finding has already become a {detail}")                                                                     \
    X(EC_VIS_FINDING_KIND, "visits.finding_kind", "“{field}”为“{detail}”的问题不能转为投诉或服务单",                   \
      "「{field}」為「{detail}」的問題不能轉為投訴或服務單",                                                           \
      "A finding whose \"{field}\" is \"{detail}\" does not become a complaint or a service ticket")                   \
    X(EC_ORDER_CONTRACT, "order.contract_not_signed", "合同尚未签订或已终止，不能下单（{detail}）",                    \
      "合約尚未簽訂或已終止，不能下單（{detail}）", "The contract is not signed or has ended ({detail})")              \
    X(EC_ORDER_OVER_CONTRACT, "order.over_contract", "“{field}”超过合同剩余可订数量（剩余 {detail}）",                 \
      "「{field}」超過合約剩餘可訂數量（剩餘 {detail}）", "\"{field}\" is more than the contract has left ({detail})") \
    X(EC_ORDER_NOTHING_LEFT, "order.contract_fully_ordered", "合同 {detail} 已全部下单，没有剩余数量",                 \
      "合約 {detail} 已全部下單，沒有剩餘數量", "Everything of contract {detail} is ordered already")                  \
    X(EC_ORDER_CUSTOMER, "order.contract_customer", "“{field}”须为合同的客户", "「{field}」須為合約的客戶",            \
      "\"{field}\" must be the contract's customer")                                                                   \
    X(EC_ORDER_NOT_QUALIFIED, "shipment.not_qualified",                                                                \
      "“{field}”超过可发货数量（{detail}）：只有检验合格、紧急放行或让步接收的货物可以发货",                           \
      "「{field}」超過可出貨數量（{detail}）：只有檢驗合格、緊急放行或讓步接收的貨物可以出貨",                         \
      "\"{field}\" is more than may ship ({detail}): only qualified, emergency-released or conceded goods ship")       \
    X(EC_ORDER_OVER_ORDER, "shipment.over_order", "“{field}”超过订单未发数量（剩余 {detail}）",                        \
      "「{field}」超過訂單未出數量（剩餘 {detail}）",                                                                  \
      "\"{field}\" is more than the order has left to ship ({detail})")                                                \
    X(EC_RELEASE_INSPECTED, "release.inspected",                                                                       \
      "批次 {detail} 已检验不合格：紧急放行只适用于来不及检验的货物，不合格品只能经客户同意让步接收",                  \
      "批次 {detail} 已檢驗不合格：緊急放行只適用於來不及檢驗的貨物，不合格品只能經客戶同意讓步接收",                  \
      "Lot {detail} was found unqualified: emergency release is only for goods not yet inspected; "                    \
      "unqualified goods ship only by concession with the customer's agreement")                                       \
    X(EC_RELEASE_APPROVER, "release.not_approver", "紧急放行须由{detail}批准", "緊急放行須由{detail}核准",             \
      "An emergency release is approved by the {detail}")                                                              \
    X(EC_TRACE_UNKNOWN, "trace.unknown_batch", "没有发货记录使用批号“{detail}”", "沒有出貨記錄使用批號「{detail}」",   \
      "No shipment carries the batch \"{detail}\"")

/*
** Details translated in the message: a code raised with one of these details
** (err_set(e, 400, EC_TYPE, "cost", "integer (fen)")) shows the detail in the
** user's language, so a Chinese message never carries an English word for the
** expected type. Other details (ranges, enum values, limits) are shown as is.
*/
/* X("code", "detail", "zh-CN", "zh-TW", "en") */
#define ERRDETAILS(X)                                                                                                  \
    X("field.type", "text", "文本", "文字", "text")                                                                    \
    X("field.type", "string", "文本", "文字", "text")                                                                  \
    X("field.type", "integer", "整数", "整數", "an integer")                                                           \
    X("field.type", "integer (fen)", "以分为单位的整数金额", "以分為單位的整數金額", "an integer amount in fen")       \
    X("field.type", "id", "记录编号（正整数）", "記錄編號（正整數）", "a record id (a positive integer)")              \
    X("field.type", "true/false", "布尔值（true 或 false）", "布林值（true 或 false）", "true or false")               \
    X("field.type", "YYYY-MM-DD", "日期（YYYY-MM-DD）", "日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)")                   \
    X("field.type", "[role, ...]", "角色列表", "角色清單", "a list of roles")                                          \
    X("field.format", "one line", "只能是一行文字", "只能是一行文字", "one line only")                                 \
    X("field.format", "NUL", "不能包含空字符 \\u0000", "不能包含空字元 \\u0000",                                       \
      "must not contain the NUL character \\u0000")                                                                    \
    X("field.format", "name@example.com", "电子邮箱，如 name@example.com", "電子郵件，如 name@example.com",            \
      "an e-mail address like name@example.com")                                                                       \
    X("field.format", "+86 21 5555 0000", "电话号码，如 +86 21 5555 0000", "電話號碼，如 +86 21 5555 0000",            \
      "a phone number like +86 21 5555 0000")                                                                          \
    X("field.format", "YYYY-MM-DD", "日期，如 2026-03-01", "日期，如 2026-03-01", "a date like 2026-03-01")

/* The code strings as constants: EC_REQUIRED is "field.required". */
#define ERRCODE_DECL(id, code, zh, tw, en) extern const char id[];
ERRCODES(ERRCODE_DECL)
#undef ERRCODE_DECL
