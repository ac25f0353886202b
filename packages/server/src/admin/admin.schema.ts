/**
 * Request and response shapes of the admin API. Patterns and limits come from
 * `@onegrid/domain`'s admin module, which the web forms check with too.
 */
import {
  areaCodePattern,
  creditCodePattern,
  departmentCodePattern,
  departmentKinds,
  departmentNameMaxLength,
  displayNameMaxLength,
  passwordMaxLength,
  passwordMinLength,
  roles,
  usernamePattern,
} from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { crsNames, importKindNames } from '../import/types.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Role = Type.Union(roles.map((r) => Type.Literal(r)));
const DepartmentKind = Type.Union(departmentKinds.map((k) => Type.Literal(k)));

export const AdminUserSchema = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: Role,
    scopeCode: Type.String(),
    scopeName: Nullable(Type.String()),
    departmentCode: Nullable(Type.String()),
    departmentName: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    active: Type.Boolean(),
    createdAt: Type.String(),
    locked: Type.Boolean({ description: 'locked after failed logins until a security user unlocks it' }),
    totpEnabled: Type.Boolean({ description: 'a second factor (authenticator app) is enrolled' }),
  },
  { $id: 'AdminUser' },
);

const Username = Type.String({ pattern: usernamePattern });
const DisplayName = Type.String({ minLength: 1, maxLength: displayNameMaxLength });
const Password = Type.String({ minLength: passwordMinLength, maxLength: passwordMaxLength });
const AreaCode = Type.String({ pattern: areaCodePattern });
const Phone = Type.String({ maxLength: 40 });

export const UserCreateBody = Type.Object(
  {
    username: Username,
    displayName: DisplayName,
    password: Password,
    role: Role,
    scopeCode: AreaCode,
    departmentCode: Type.Optional(Nullable(Type.String({ pattern: departmentCodePattern }))),
    phone: Type.Optional(Nullable(Phone)),
  },
  { additionalProperties: false },
);

export const UserPatchBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(Role),
    scopeCode: Type.Optional(AreaCode),
    departmentCode: Type.Optional(Nullable(Type.String({ pattern: departmentCodePattern }))),
    phone: Type.Optional(Nullable(Phone)),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  role: Type.Optional(Role),
  active: Type.Optional(Type.Boolean()),
});

export const AdminDepartmentSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    areaCode: Type.String(),
    areaName: Nullable(Type.String()),
    kind: DepartmentKind,
    creditCode: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    active: Type.Boolean(),
    users: Type.Integer({ description: 'Active users of this department' }),
    matrixRules: Type.Integer({ description: 'Responsibility-matrix rules naming it' }),
  },
  { $id: 'AdminDepartment' },
);

const DepartmentName = Type.String({ minLength: 1, maxLength: departmentNameMaxLength });
const CreditCode = Type.String({ pattern: creditCodePattern });

export const DepartmentCreateBody = Type.Object(
  {
    code: Type.String({ pattern: departmentCodePattern }),
    name: DepartmentName,
    areaCode: AreaCode,
    kind: Type.Optional(DepartmentKind),
    creditCode: Type.Optional(Nullable(CreditCode)),
    phone: Type.Optional(Nullable(Phone)),
  },
  { additionalProperties: false },
);

export const DepartmentPatchBody = Type.Object(
  {
    name: Type.Optional(DepartmentName),
    areaCode: Type.Optional(AreaCode),
    kind: Type.Optional(DepartmentKind),
    creditCode: Type.Optional(Nullable(CreditCode)),
    phone: Type.Optional(Nullable(Phone)),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AreaOptionSchema = Type.Object(
  { code: Type.String(), name: Type.String(), level: Type.String() },
  { $id: 'AreaOption' },
);

const Reject = Type.Object({
  row: Type.Integer(),
  key: Nullable(Type.String()),
  problem: Type.String(),
  reason: Type.String(),
});

export const ImportRunSchema = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.String(),
    source: Type.String(),
    format: Nullable(Type.String()),
    crs: Type.String(),
    status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    startedAt: Type.String(),
    finishedAt: Nullable(Type.String()),
    rowsRead: Type.Integer(),
    imported: Type.Integer(),
    rejected: Type.Integer(),
    error: Nullable(Type.String()),
  },
  { $id: 'ImportRun' },
);

export const ImportReportSchema = Type.Object(
  {
    run: Type.Ref('ImportRun'),
    rejects: Type.Array(Reject, { description: 'The first rejects, in row order' }),
    rejectsStored: Type.Integer(),
    rejectsByProblem: Type.Record(Type.String(), Type.Integer()),
    warnings: Type.Array(Type.String()),
  },
  { $id: 'ImportReport' },
);

export const ImportQuery = Type.Object({
  // Devices are imported by the CLI, which hands their tokens over in a file (kinds/devices.ts).
  kind: Type.Union(importKindNames.filter((k) => k !== 'devices').map((k) => Type.Literal(k))),
  crs: Type.Optional(Type.Union(crsNames.map((c) => Type.Literal(c)))),
});
