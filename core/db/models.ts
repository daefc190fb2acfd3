// Sequelize models mirroring the tables created by migrations (migrations own the schema; models never sync).
import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type CreationOptional, type Sequelize } from 'sequelize';

const common = { underscored: true, timestamps: false } as const;

export class ServiceRow extends Model<InferAttributes<ServiceRow>, InferCreationAttributes<ServiceRow>> {
  declare id: string;
  declare title: string;
  declare publishedVersion: number | null;
  declare updatedAt: CreationOptional<Date>;
}

export class ServiceVersionRow extends Model<InferAttributes<ServiceVersionRow>, InferCreationAttributes<ServiceVersionRow>> {
  declare serviceId: string;
  declare version: number;
  declare definition: unknown;
  declare contentHash: string;
  declare state: 'draft' | 'published' | 'retired';
  declare source: string;
  declare createdAt: CreationOptional<Date>;
  declare publishedAt: Date | null;
}

export class ProcessRow extends Model<InferAttributes<ProcessRow>, InferCreationAttributes<ProcessRow>> {
  declare id: string;
  declare reference: string;
  declare serviceId: string;
  declare serviceVersion: number;
  declare status: 'submitted' | 'received' | 'in_progress' | 'completed' | 'closed';
  declare answers: Record<string, unknown>;
  declare contact: { name?: string; email?: string; phone?: string };
  declare externalRef: string | null;
  declare closedReason: string | null;
  declare submittedAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  /** Set by erasure (docs/governance.md); the process's personal data is gone. */
  declare erasedAt: CreationOptional<Date | null>;
  /** When it first became completed or closed (set by a trigger; retention counts from here). */
  declare finishedAt: CreationOptional<Date | null>;
}

export class TaskRow extends Model<InferAttributes<TaskRow>, InferCreationAttributes<TaskRow>> {
  declare processId: string;
  declare key: string;
  declare title: string;
  declare position: number;
  declare status: 'open' | 'in_progress' | 'completed' | 'cancelled';
  declare updatedAt: CreationOptional<Date>;
}

export class TimelineEventRow extends Model<InferAttributes<TimelineEventRow>, InferCreationAttributes<TimelineEventRow>> {
  declare id: CreationOptional<string>;
  declare processId: string;
  declare kind: 'submitted' | 'received' | 'note' | 'task' | 'status';
  declare visibleToCitizen: boolean;
  declare text: string;
  declare data: Record<string, unknown>;
  declare actor: string;
  declare createdAt: CreationOptional<Date>;
}

export class DocumentRow extends Model<InferAttributes<DocumentRow>, InferCreationAttributes<DocumentRow>> {
  declare id: string;
  declare processId: string;
  declare kind: 'form-json' | 'form-html' | 'evidence' | 'xml';
  declare fieldId: string | null;
  declare name: string;
  declare contentType: string;
  declare size: number;
  declare sha256: string;
  declare storageKey: string | null;
  declare content: Buffer | null;
  declare createdAt: CreationOptional<Date>;
}

export class DeliveryRow extends Model<InferAttributes<DeliveryRow>, InferCreationAttributes<DeliveryRow>> {
  declare id: string;
  declare processId: string;
  declare binding: string;
  declare status: 'pending' | 'queued' | 'delivering' | 'delivered' | 'dead';
  declare attempts: CreationOptional<number>;
  declare externalRef: string | null;
  declare lastError: string | null;
  declare enqueuedAt: Date | null;
  declare deliveredAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class ApiClientRow extends Model<InferAttributes<ApiClientRow>, InferCreationAttributes<ApiClientRow>> {
  declare id: string;
  declare name: string;
  declare keyHash: Buffer;
  declare keyPrefix: string;
  declare services: string[];
  declare admin: boolean;
  declare council: string | null;
  declare expiresAt: Date | null;
  declare revokedAt: Date | null;
  declare lastUsedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
}

/** A timestamp column with an explicit field name (Sequelize otherwise treats createdAt/updatedAt specially). */
const at = (field: string) => ({ type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW, field });

export function initModels(sequelize: Sequelize) {
  ServiceRow.init(
    { id: { type: DataTypes.TEXT, primaryKey: true }, title: DataTypes.TEXT, publishedVersion: DataTypes.INTEGER, updatedAt: at('updated_at') },
    { ...common, sequelize, tableName: 'services' },
  );
  ServiceVersionRow.init(
    {
      serviceId: { type: DataTypes.TEXT, primaryKey: true },
      version: { type: DataTypes.INTEGER, primaryKey: true },
      definition: DataTypes.JSONB,
      contentHash: DataTypes.TEXT,
      state: DataTypes.TEXT,
      source: DataTypes.TEXT,
      createdAt: at('created_at'),
      publishedAt: DataTypes.DATE,
    },
    { ...common, sequelize, tableName: 'service_versions' },
  );
  ProcessRow.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      reference: DataTypes.TEXT,
      serviceId: DataTypes.TEXT,
      serviceVersion: DataTypes.INTEGER,
      status: DataTypes.TEXT,
      answers: DataTypes.JSONB,
      contact: DataTypes.JSONB,
      externalRef: DataTypes.TEXT,
      closedReason: DataTypes.TEXT,
      submittedAt: at('submitted_at'),
      updatedAt: at('updated_at'),
      erasedAt: { type: DataTypes.DATE, field: 'erased_at', allowNull: true },
      finishedAt: { type: DataTypes.DATE, field: 'finished_at', allowNull: true },
    },
    { ...common, sequelize, tableName: 'processes' },
  );
  TaskRow.init(
    {
      processId: { type: DataTypes.UUID, primaryKey: true },
      key: { type: DataTypes.TEXT, primaryKey: true },
      title: DataTypes.TEXT,
      position: DataTypes.INTEGER,
      status: DataTypes.TEXT,
      updatedAt: at('updated_at'),
    },
    { ...common, sequelize, tableName: 'tasks' },
  );
  TimelineEventRow.init(
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      processId: DataTypes.UUID,
      kind: DataTypes.TEXT,
      visibleToCitizen: DataTypes.BOOLEAN,
      text: DataTypes.TEXT,
      data: DataTypes.JSONB,
      actor: DataTypes.TEXT,
      createdAt: at('created_at'),
    },
    { ...common, sequelize, tableName: 'timeline_events' },
  );
  DocumentRow.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      processId: DataTypes.UUID,
      kind: DataTypes.TEXT,
      fieldId: DataTypes.TEXT,
      name: DataTypes.TEXT,
      contentType: DataTypes.TEXT,
      size: DataTypes.BIGINT,
      sha256: DataTypes.TEXT,
      storageKey: DataTypes.TEXT,
      content: DataTypes.BLOB,
      createdAt: at('created_at'),
    },
    { ...common, sequelize, tableName: 'documents', defaultScope: { attributes: { exclude: ['content'] } } },
  );
  DeliveryRow.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      processId: DataTypes.UUID,
      binding: DataTypes.TEXT,
      status: DataTypes.TEXT,
      attempts: { type: DataTypes.INTEGER, defaultValue: 0 },
      externalRef: DataTypes.TEXT,
      lastError: DataTypes.TEXT,
      enqueuedAt: DataTypes.DATE,
      deliveredAt: DataTypes.DATE,
      createdAt: at('created_at'),
      updatedAt: at('updated_at'),
    },
    { ...common, sequelize, tableName: 'deliveries' },
  );

  ApiClientRow.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      name: DataTypes.TEXT,
      keyHash: DataTypes.BLOB,
      keyPrefix: DataTypes.TEXT,
      services: DataTypes.ARRAY(DataTypes.TEXT),
      admin: DataTypes.BOOLEAN,
      council: DataTypes.TEXT,
      expiresAt: DataTypes.DATE,
      revokedAt: DataTypes.DATE,
      lastUsedAt: DataTypes.DATE,
      createdAt: at('created_at'),
    },
    { ...common, sequelize, tableName: 'api_clients' },
  );
}
