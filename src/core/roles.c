/*
** roles.c — the roles' ids and labels in the three languages (roles.h).
*/
#include <string.h>

#include "roles.h"

const RoleInfo role_info[ROLE_COUNT] = {
    [ROLE_ADMIN] = {"admin", "系统管理员", "系統管理員", "Administrator"},
    [ROLE_GM] = {"gm", "总经理", "總經理", "General manager"},
    [ROLE_SALES_DIRECTOR] = {"sales_director", "销售部总经理", "銷售部總經理", "Sales director"},
    [ROLE_DEPUTY_DIRECTOR] = {"deputy_director", "销售部副总经理", "銷售部副總經理", "Deputy sales director"},
    [ROLE_SALES_MANAGER] = {"sales_manager", "销售经理", "銷售經理", "Sales manager"},
    [ROLE_SUPERVISOR] = {"supervisor", "销售主管", "銷售主管", "Sales supervisor"},
    [ROLE_SALES_REP] = {"sales_rep", "销售代表", "銷售代表", "Sales representative"},
    [ROLE_CS_SPECIALIST] = {"cs_specialist", "客户服务专员", "客戶服務專員", "Customer service specialist"},
    [ROLE_FINANCE] = {"finance", "财务", "財務", "Finance"},
    [ROLE_LEGAL] = {"legal", "法务", "法務", "Legal"},
    [ROLE_TECH] = {"tech", "技术", "技術", "Technical"},
    [ROLE_PRODUCTION] = {"production", "生产", "生產", "Production"},
    [ROLE_QC] = {"qc", "质检", "品檢", "Quality control"},
    [ROLE_PURCHASING] = {"purchasing", "采购", "採購", "Purchasing"},
    [ROLE_WAREHOUSE] = {"warehouse", "仓库", "倉庫", "Warehouse"},
};

int role_by_name(const char *name) {
    for (int i = 0; name && i < ROLE_COUNT; i++)
        if (strcmp(role_info[i].id, name) == 0) return i;
    return -1;
}
