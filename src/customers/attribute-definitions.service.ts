import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { Database } from '../database/database.service';
import {
  AttributeDefinitionRow,
  AttributeDefinitionsRepository,
} from './attribute-definitions.repository';
import type {
  AttributeDefinitionModel,
  CreateAttributeDefinitionInput,
  UpdateAttributeDefinitionInput,
} from './dto/attribute-definition.dto';

function toModel(row: AttributeDefinitionRow): AttributeDefinitionModel {
  return {
    key: row.key,
    label: row.label,
    type: row.type,
    options: row.options,
    group: row.group,
    weight: Number(row.weight),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function checkOptions(type: string, options: string[] | undefined): FieldError[] {
  const enumLike = type === 'enum' || type === 'multi_enum';
  if (enumLike && !options?.length)
    return [{ field: 'options', code: 'required', message: `${type} attributes need options` }];
  if (!enumLike && options?.length)
    return [
      { field: 'options', code: 'not_allowed', message: `${type} attributes take no options` },
    ];
  if (options && new Set(options).size !== options.length)
    return [{ field: 'options', code: 'duplicate', message: 'options must be unique' }];
  return [];
}

/**
 * Tenant-defined custom attributes (the manuals' soft data: work, family, hobbies, ...).
 * The type of a key never changes once defined, so stored values stay valid.
 */
@Injectable()
export class AttributeDefinitionsService {
  constructor(
    private readonly db: Database,
    private readonly repository: AttributeDefinitionsRepository,
    private readonly clock: Clock,
  ) {}

  async list(principal: Principal): Promise<AttributeDefinitionModel[]> {
    return this.db.withTenant(principal.tenantId, async (tx) =>
      (await this.repository.list(tx)).map(toModel),
    );
  }

  async create(
    principal: Principal,
    input: CreateAttributeDefinitionInput,
  ): Promise<AttributeDefinitionModel> {
    const errors = checkOptions(input.type, input.options);
    if (!input.label)
      errors.push({ field: 'label', code: 'required', message: 'label is required' });
    if (!input.group)
      errors.push({
        field: 'group',
        code: 'required',
        message: 'group is required (hard or soft)',
      });
    if (errors.length) throw DomainError.validation(errors);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await this.repository.insert(
        tx,
        {
          key: input.key,
          label: input.label!,
          type: input.type,
          options: input.options ?? [],
          group: input.group!,
          weight: String(input.weight ?? 1),
        },
        this.clock.now(),
      );
      if (!row) throw new DomainError('conflict', `Attribute ${input.key} is already defined.`);
      return toModel(row);
    });
  }

  async update(
    principal: Principal,
    key: string,
    input: UpdateAttributeDefinitionInput,
  ): Promise<AttributeDefinitionModel> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await this.repository.find(tx, key, true);
      if (!row) throw DomainError.notFound('Attribute definition');
      const errors = input.options !== undefined ? checkOptions(row.type, input.options) : [];
      if (errors.length) throw DomainError.validation(errors);
      const updated = await this.repository.update(
        tx,
        key,
        {
          label: input.label ?? row.label,
          options: input.options ?? row.options,
          group: input.group ?? row.group,
          weight: input.weight !== undefined ? String(input.weight) : row.weight,
        },
        this.clock.now(),
      );
      return toModel(updated);
    });
  }
}
