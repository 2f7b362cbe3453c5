import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError } from '../common/errors/domain-error';
import { uuid7 } from '../common/uuid7';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import type { toDefinitionLike } from '../customers/attribute-definitions.repository';
import { CustomerIdentityClaimsService } from '../customers/customer-identity-claims.service';
import { CustomerIdentityCodec, NormalisedIdentity } from '../customers/customer-identity-codec';
import { buildMemberNo } from '../customers/customer-normalisation';
import { CustomerProfileBuilder } from '../customers/customer-profile-builder';
import type { CustomerTenantSettings } from '../customers/customer-tenant-settings';
import type { CustomerRow } from '../customers/customers.repository';
import type { CustomerFieldsInput } from '../customers/dto/customer.input';
import {
  CustomerImportPreparer,
  PreparedCustomers,
  PreparedRow,
  RowIdentity,
} from './customer-import.preparer';
import { fillBlanks } from './customer-row-reader';
import { followSurvivors, settleContested } from './customer-import-claims';
import { CustomerImportRepository, IdentityInsert } from './customer-import.repository';
import type { BatchCounts, ImportErrorInput, StagedRow } from './imports.repository';

export type Row = PreparedRow;

/**
 * The worker's guess, carried from batch to batch of one import, that a batch holds only new
 * people (then its identities are stored before anything is looked up).
 */
export interface ImportGuess {
  allNew: boolean;
}

export interface BatchOutcome {
  counts: BatchCounts;
  errors: ImportErrorInput[];
}

/**
 * Merges one batch of a customers file. Identities (phone, e-mail, member no, external id)
 * decide who a row is: rows sharing one are one person (merged, first value of each field
 * wins), a person already stored gets only the fields it lacks, and anyone else is created.
 * The customers' own builder and codec normalise, encrypt and score every row, so an import
 * stores exactly what `POST /v1/customers` would.
 */
@Injectable()
export class CustomerImportProcessor {
  constructor(
    private readonly repository: CustomerImportRepository,
    private readonly preparer: CustomerImportPreparer,
    private readonly builder: CustomerProfileBuilder,
    private readonly codec: CustomerIdentityCodec,
    private readonly crypto: PiiCrypto,
    private readonly outbox: OutboxService,
    private readonly claims: CustomerIdentityClaimsService,
  ) {}

  async process(
    tx: Tx,
    staged: StagedRow[],
    namespace: string | undefined,
    headerOf: (field: string) => string | undefined,
    now: Date,
    /** Who merges customers the match rules join (`import:<id>`); recorded on the merge. */
    actor = 'import',
    ahead?: PreparedCustomers,
    /** Kept by the worker from batch to batch; without it every batch looks its identities up. */
    guess?: ImportGuess,
  ): Promise<BatchOutcome> {
    const context = await this.preparer.context(tx);
    const { settings, definitions } = context;
    // Rows prepared ahead under the same settings and definitions are used as they are.
    const prepared =
      ahead?.fingerprint === context.fingerprint
        ? ahead
        : await this.preparer.prepare(staged, context, namespace, headerOf);
    const counts: BatchCounts = {
      processed: staged.length,
      created: 0,
      updated: 0,
      skipped: prepared.skipped,
      failed: prepared.failed,
    };
    const errors: ImportErrorInput[] = [...prepared.errors];
    const fail = (line: number, code: string, message: string) =>
      errors.push({ line, column: null, value: null, code, message });
    const rows = prepared.rows;
    // Rows sharing any identity are one person. A row alone is its own merge (and keeps the
    // profile built while checking it); rows merged together get a fresh input, built again.
    const groups = groupByIdentity(rows).map((members) => ({
      id: uuid7(now.getTime()),
      members,
      merged: members.length === 1 ? members[0] : mergeRows(members),
    }));
    if (guess?.allNew) {
      // Identities first, in one plain INSERT, each for the customer id its group would get:
      // if none is held yet (every batch of a file of new people) that was the look-up and the
      // identities' write at once, and ~30 % of PostgreSQL's time in a 1M-row import went to
      // them. One identity held makes it fail; it is undone and the batch looked up instead.
      const stored = await this.repository.insertUnheldIdentities(
        tx,
        groups.flatMap((f) => f.merged.identities.map((id) => this.identityInsert(f.id, id, now))),
        now,
      );
      if (stored) {
        for (const g of groups) counts.skipped += g.members.length - 1;
        counts.created += await this.create(tx, groups, settings, definitions, now, true);
        return { counts, errors };
      }
      guess.allNew = false;
    }
    const holders = await this.repository.identityHolders(
      tx,
      rows.flatMap((r) => r.identities),
    );
    // A batch of only new people: the next one tries storing its identities first again.
    if (guess && !holders.size) guess.allNew = true;
    const creates: { id: string; merged: Row }[] = [];
    const updates: { rows: Row[]; merged: Row; customerId: string }[] = [];
    const contested: { rows: Row[]; merged: Row }[] = [];
    for (const { id, members, merged } of groups) {
      const owners = new Set(
        merged.identities
          .map((id) => holders.get(`${id.type}|${id.namespace}|${id.bidx}`))
          .filter((x): x is string => !!x),
      );
      // Within-file duplicates beyond the first count as merged into it.
      counts.skipped += members.length - 1;
      if (owners.size > 1) contested.push({ rows: members, merged });
      else if (owners.size === 1)
        updates.push({ rows: members, merged, customerId: [...owners][0] });
      else creates.push({ id, merged });
    }

    // Rows naming several stored customers go to the tenant's match rules together.
    const settled = await settleContested(this.claims, tx, actor, contested, holders);
    updates.push(...settled.updates);
    for (const refused of settled.refused) {
      counts.skipped -= refused.rows.length - 1;
      counts.failed += refused.rows.length;
      for (const m of refused.rows) fail(m.line, 'identity_conflict', refused.detail);
    }
    const targets = followSurvivors(updates, settled.survivorOf);

    counts.created += await this.create(tx, creates, settings, definitions, now, false);
    const changed = await this.update(tx, targets, settings, definitions, now);
    counts.updated += changed;
    counts.skipped += updates.length - changed;
    return { counts, errors };
  }

  private identity(
    type: 'phone' | 'email' | 'member_no',
    namespace: string,
    value: string,
  ): NormalisedIdentity {
    return { type, namespace, value, bidx: this.codec.bidx(type, value) };
  }

  /** An identity row of `customerId`; the row's profile ciphertext of the same phone / e-mail is reused. */
  private identityInsert(customerId: string, id: RowIdentity, now: Date): IdentityInsert {
    return {
      id: uuid7(now.getTime()),
      customer_id: customerId,
      type: id.type,
      namespace: id.namespace,
      value_enc: id.enc ?? this.crypto.encrypt(id.value),
      value_bidx: id.bidx,
    };
  }

  /**
   * Creates a customer for each merged row. `identitiesStored`: the rows' own identities are
   * already stored under these ids (only generated member numbers are left to add).
   */
  private async create(
    tx: Tx,
    rows: { id: string; merged: Row }[],
    settings: CustomerTenantSettings,
    definitions: ReturnType<typeof toDefinitionLike>[],
    now: Date,
    identitiesStored: boolean,
  ): Promise<number> {
    if (!rows.length) return 0;
    const prepared = rows.map(({ id, merged: row }) => {
      const change =
        row.change ?? this.builder.apply(row.input.fields, undefined, settings, definitions);
      return { id, row, columns: change.columns, memberNo: row.input.memberNo };
    });
    type Prepared = (typeof prepared)[number];
    const identityRows = (p: Prepared): IdentityInsert[] => {
      const list: RowIdentity[] = identitiesStored ? [] : [...p.row.identities];
      if (!p.row.input.memberNo) list.push(this.identity('member_no', '', p.memberNo!));
      return list.map((id) => this.identityInsert(p.id, id, now));
    };
    const identities: IdentityInsert[] = [];
    const created: Prepared[] = [];
    let pending = prepared;
    // Generated member numbers are random; the few that collide are drawn again.
    for (let attempt = 0; pending.length && attempt < 6; attempt++) {
      for (const p of pending)
        if (!p.row.input.memberNo)
          p.memberNo = buildMemberNo(
            settings.memberNoPrefix,
            String(randomInt(100_000_000, 1_000_000_000)),
          );
      // Sent before the identity rows are built, so PostgreSQL inserts while Node builds.
      const insertion = this.repository.insertCustomers(
        tx,
        pending.map((p) => ({ id: p.id, member_no: p.memberNo!, ...p.columns })),
        now,
      );
      insertion.catch(() => undefined); // awaited below; never unhandled if building throws
      const built = pending.map(identityRows);
      const inserted = await insertion;
      pending.forEach((p, i) => {
        if (!inserted.has(p.id)) return;
        created.push(p);
        identities.push(...built[i]);
      });
      pending = pending.filter((p) => !inserted.has(p.id));
      if (pending.some((p) => p.row.input.memberNo))
        throw new Error(
          'a member number given in the file is held by a customer without its identity row',
        );
    }
    if (pending.length)
      throw new DomainError('conflict', 'Could not allocate member numbers; retry the import.');
    const identityWrite = this.repository.insertIdentities(tx, identities, now, true);
    identityWrite.catch(() => undefined); // awaited below
    const events = created.map((p) => ({
      type: 'customer.created',
      customerId: p.id,
      subjectType: 'customer',
      subjectId: p.id,
      payload: {
        customerId: p.id,
        memberNo: p.memberNo,
        storeId: p.columns.store_id ?? null,
        source: 'import',
      },
    }));
    await identityWrite;
    await this.outbox.recordMany(tx, events);
    return prepared.length;
  }

  /** Fills only what the stored record lacks; returns how many records changed. */
  private async update(
    tx: Tx,
    updates: { merged: Row; customerId: string }[],
    settings: CustomerTenantSettings,
    definitions: ReturnType<typeof toDefinitionLike>[],
    now: Date,
  ): Promise<number> {
    if (!updates.length) return 0;
    const current = new Map(
      (
        await this.repository.lockCustomers(
          tx,
          updates.map((u) => u.customerId),
        )
      ).map((r) => [r.id, r]),
    );
    const patches: { id: string; columns: Record<string, unknown> }[] = [];
    const identities: Parameters<CustomerImportRepository['insertIdentities']>[1] = [];
    for (const u of updates) {
      const row = current.get(u.customerId);
      if (!row) continue;
      const blanks = blankFields(u.merged.input.fields, row);
      const change = this.builder.apply(blanks, row, settings, definitions);
      const columns: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(change.columns)) {
        if (
          JSON.stringify(value) !== JSON.stringify((row as unknown as Record<string, unknown>)[key])
        )
          columns[key] = value;
      }
      // A second phone or e-mail is not added: the record keeps the one it has.
      for (const id of u.merged.identities) {
        if (
          (id.type === 'phone' && change.phone !== id.value) ||
          (id.type === 'email' && change.email !== id.value)
        )
          continue;
        identities.push(this.identityInsert(row.id, id, now));
      }
      if (Object.keys(columns).some((k) => k !== 'completeness'))
        patches.push({ id: row.id, columns });
    }
    await this.repository.patchCustomers(tx, patches, now);
    await this.repository.insertIdentities(tx, identities, now);
    return patches.length;
  }
}

/** Rows sharing any identity, directly or through others, as one group each (union-find). */
function groupByIdentity(rows: Row[]): Row[][] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  rows.forEach((row, i) => {
    for (const id of row.identities) {
      const key = `${id.type}|${id.namespace}|${id.bidx}`;
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, Row[]>();
  rows.forEach((row, i) => {
    const root = find(i);
    const members = groups.get(root);
    if (members) members.push(row);
    else groups.set(root, [row]);
  });
  return [...groups.values()];
}

/** Rows sharing an identity as one: the first non-empty value of each field, every identity once. */
function mergeRows(members: Row[]): Row {
  const merged: Row = {
    line: members[0].line,
    input: {
      fields: { ...members[0].input.fields },
      errors: [],
      memberNo: members[0].input.memberNo,
      externalId: members[0].input.externalId,
    },
    identities: [],
  };
  for (const m of members.slice(1)) fillBlanks(merged.input, m.input);
  const identityMap = new Map<string, Row['identities'][number]>();
  for (const m of members)
    for (const id of m.identities) identityMap.set(`${id.type}|${id.namespace}|${id.bidx}`, id);
  merged.identities = [...identityMap.values()];
  return merged;
}

/** The part of `input` that fills fields the stored row has empty (merge-patch input). */
function blankFields(input: CustomerFieldsInput, row: CustomerRow): CustomerFieldsInput {
  const out: CustomerFieldsInput = {};
  if (input.name && !row.name) out.name = input.name;
  if (input.gender && row.gender === 'unknown') out.gender = input.gender;
  if (input.birthday && !row.birth_month) out.birthday = input.birthday;
  if (input.phone && !row.phone_enc) out.phone = input.phone;
  if (input.email && !row.email_enc) out.email = input.email;
  if (input.storeId && !row.store_id) out.storeId = input.storeId;
  if (input.registeredBy && !row.registered_by) out.registeredBy = input.registeredBy;
  if (input.preferredStoreId && !row.preferred_store_id)
    out.preferredStoreId = input.preferredStoreId;
  if (input.clothingSize && !row.clothing_size) out.clothingSize = input.clothingSize;
  if (input.shoeSize && !row.shoe_size) out.shoeSize = input.shoeSize;
  if (input.tags?.some((t) => !row.tags.includes(t)))
    out.tags = [...new Set([...row.tags, ...input.tags])];
  if (input.address) {
    const a = input.address;
    const address: Record<string, string> = {};
    if (a.line && !row.address_enc) address.line = a.line;
    if (a.province && !row.province) address.province = a.province;
    if (a.city && !row.city) address.city = a.city;
    if (a.district && !row.district) address.district = a.district;
    if (a.postcode && !row.postcode) address.postcode = a.postcode;
    if (Object.keys(address).length) out.address = address;
  }
  if (input.attributes) {
    const fresh = Object.fromEntries(
      Object.entries(input.attributes).filter(
        ([k]) => row.attributes[k] === undefined || row.attributes[k] === null,
      ),
    );
    if (Object.keys(fresh).length) out.attributes = fresh;
  }
  return out;
}
