/*
** collision.h — duplicate and collision control for customers and leads
** (撞单, R-CUS-3): normalised match keys (phone, company name, tax id, email)
** kept in `match_keys` on every write, looked up on create, edit and import.
** A match owned by another rep is a collision: the write is refused with
** 409 collision.found, showing who owns the match (details masked), and the
** rep may file a collision claim for a manager to arbitrate.
*/
#ifndef SALESLOOP_COLLISION_H
#define SALESLOOP_COLLISION_H

#include "../model/entity.h"

/* One existing record that matches (the model's EntityMatch). */
typedef EntityMatch Match;

/* Normalisers (arena strings; NULL when nothing is left to match on). */
char *norm_phone(Arena *a, const char *s);   /* digits only, +86/0086 and leading 86 dropped */
char *norm_company(Arena *a, const char *s); /* traditional->simplified (OpenCC), full->half width,
                                                brackets and spaces dropped, legal suffixes
                                                (有限公司, 有限責任公司, 股份有限公司, Co., Ltd. ...) cut, lower case */
char *norm_email(Arena *a, const char *s);   /* trimmed, lower case */
char *norm_tax_id(Arena *a, const char *s);  /* upper case, no spaces or dashes */

/*
** Live customers and leads other than (entity, self_id) whose keys match
** rec's (fields: customers name/phone/email/tax_id, leads company/phone/email/tax_id;
** contacts' phones and emails count for their customer). Fills up to max; returns the count, -1 on error.
*/
int collision_find(Req *r, const char *entity, int64_t self_id, json_t *rec, Match *out, int max);

/*
** before_save check: when a match is owned by a user other than rec's owner
** (and not shared with them), reply 409 {"error":{"code":"collision.found",…},
** "matches":[{"entity","id","name","owner_id","owner_name","kind"}]} and return -1.
** Same-owner duplicates are allowed through when rec has "_allow_duplicate": true,
** else answered 409 duplicate.found the same way. 0 when clear.
*/
int collision_check(Req *r, const char *entity, int64_t self_id, json_t *rec, Err *e);

/*
** before_save of customers and leads: collision_check on the match keys that are new
** (create) or changed (edit) only, so an old, accepted duplicate does not block
** unrelated edits. 0 when clear or nothing to check, else as collision_check.
*/
int collision_check_save(Req *r, const char *entity, json_t *rec, json_t *old, Err *e);

/* The find_matches hook of customers and leads (import dry runs): collision_find for a new record. */
int collision_matches(Req *r, const Entity *en, json_t *rec, EntityMatch *out, int max);

/* after_save: replace the row's match keys with rec's. 0 ok, -1 with e. */
int collision_keys_store(Req *r, const char *entity, int64_t row_id, json_t *rec, Err *e);

/*
** Referral rule (R-CUS-3), before_save of customers and leads: a new record referred
** by an existing customer belongs to the rep who owns the referrer.
** - A referrer the user sees: rec's owner_id/org_unit_id become the referrer's owner's
**   (a referrer in the pool or owned by a departed rep changes nothing).
** - A referrer the user does not see, or no such customer: answered alike, so the reply
**   tells neither the owner nor whether the id exists. The record stays the creator's,
**   without the referrer; when the referrer is a live customer, rec gets "_referral" =
**   its id and referral_claim_file (after_save) puts the question to the managers.
** - On an edit the referrer must be a customer the user sees (400 field.reference), and
**   the owner does not move.
** 0 ok, -1 with e.
*/
int referral_resolve(Req *r, json_t *rec, json_t *old, Err *e);

/*
** after_save of a new customer or lead whose referrer the creator could not see (rec has
** "_referral"): a pending collision claim (match_kind "referral") in the name of the
** referrer's owner on the new record, for the managers over the record to arbitrate
** (transfer gives it to the referrer's owner and records the referrer); the referrer's
** owner is told. Nothing when rec has no "_referral" or the referrer has no active owner.
** 0 ok, -1 with e.
*/
int referral_claim_file(Req *r, const char *entity, json_t *rec, Err *e);

#endif
