IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [ApprovalRules] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [Order] int NOT NULL,
        [ApplicationId] uniqueidentifier NULL,
        [Environment] nvarchar(64) NULL,
        [Criticality] nvarchar(64) NULL,
        [Kind] nvarchar(32) NULL,
        [TargetConnectionId] uniqueidentifier NULL,
        [Outcome] nvarchar(32) NOT NULL,
        [RequiredApprovals] int NOT NULL,
        [ApproverGroup] nvarchar(256) NULL,
        CONSTRAINT [PK_ApprovalRules] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetRoles] (
        [Id] nvarchar(450) NOT NULL,
        [Name] nvarchar(256) NULL,
        [NormalizedName] nvarchar(256) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetRoles] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetUsers] (
        [Id] nvarchar(450) NOT NULL,
        [DisplayName] nvarchar(max) NOT NULL,
        [UserName] nvarchar(256) NULL,
        [NormalizedUserName] nvarchar(256) NULL,
        [Email] nvarchar(256) NULL,
        [NormalizedEmail] nvarchar(256) NULL,
        [EmailConfirmed] bit NOT NULL,
        [PasswordHash] nvarchar(max) NULL,
        [SecurityStamp] nvarchar(max) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        [PhoneNumber] nvarchar(max) NULL,
        [PhoneNumberConfirmed] bit NOT NULL,
        [TwoFactorEnabled] bit NOT NULL,
        [LockoutEnd] datetimeoffset NULL,
        [LockoutEnabled] bit NOT NULL,
        [AccessFailedCount] int NOT NULL,
        CONSTRAINT [PK_AspNetUsers] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AuditChainHeads] (
        [Id] int NOT NULL,
        [LastSequence] bigint NOT NULL,
        [LastHash] nvarchar(64) NOT NULL,
        CONSTRAINT [PK_AuditChainHeads] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AuditEvents] (
        [Id] uniqueidentifier NOT NULL,
        [Sequence] bigint NOT NULL,
        [At] datetimeoffset NOT NULL,
        [ActorId] nvarchar(450) NOT NULL,
        [ActorName] nvarchar(256) NOT NULL,
        [Action] nvarchar(64) NOT NULL,
        [EntityType] nvarchar(64) NULL,
        [EntityId] nvarchar(450) NULL,
        [VmName] nvarchar(256) NULL,
        [RequestId] uniqueidentifier NULL,
        [Details] nvarchar(max) NOT NULL,
        [IsDemo] bit NOT NULL,
        [PreviousHash] nvarchar(64) NOT NULL,
        [Hash] nvarchar(64) NOT NULL,
        CONSTRAINT [PK_AuditEvents] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Batches] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [CreatedById] nvarchar(450) NOT NULL,
        [CreatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_Batches] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [BusinessApplications] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [Environment] nvarchar(64) NULL,
        [Criticality] nvarchar(64) NULL,
        CONSTRAINT [PK_BusinessApplications] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Clusters] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ExternalId] nvarchar(512) NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [Datacenter] nvarchar(256) NULL,
        CONSTRAINT [PK_Clusters] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Connections] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [Endpoint] nvarchar(1024) NOT NULL,
        [Username] nvarchar(256) NULL,
        [ProtectedSecret] nvarchar(max) NULL,
        [PinnedThumbprint] nvarchar(128) NULL,
        [AllowUnencryptedMigration] bit NOT NULL,
        [LastSyncedAt] datetimeoffset NULL,
        [LastSyncError] nvarchar(max) NULL,
        CONSTRAINT [PK_Connections] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [DataProtectionKeys] (
        [Id] int NOT NULL IDENTITY,
        [FriendlyName] nvarchar(max) NULL,
        [Xml] nvarchar(max) NULL,
        CONSTRAINT [PK_DataProtectionKeys] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Datastores] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ExternalId] nvarchar(512) NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [CapacityGb] bigint NOT NULL,
        [FreeGb] bigint NOT NULL,
        [Accessible] bit NOT NULL,
        [MountedOnHosts] nvarchar(max) NOT NULL,
        CONSTRAINT [PK_Datastores] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [DemoWorldTasks] (
        [Id] nvarchar(64) NOT NULL,
        [VmId] nvarchar(64) NOT NULL,
        [TargetHostId] nvarchar(64) NULL,
        [TargetDatastore] nvarchar(64) NULL,
        [StartedAt] datetimeoffset NOT NULL,
        [DurationMs] bigint NOT NULL,
        [State] nvarchar(16) NOT NULL,
        [Message] nvarchar(1024) NULL,
        CONSTRAINT [PK_DemoWorldTasks] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [DemoWorldVms] (
        [Id] nvarchar(64) NOT NULL,
        [Name] nvarchar(128) NOT NULL,
        [HostId] nvarchar(64) NOT NULL,
        [Datastore] nvarchar(64) NOT NULL,
        [PowerState] nvarchar(32) NOT NULL,
        [Cpus] int NOT NULL,
        [MemoryMb] bigint NOT NULL,
        [DiskGb] bigint NOT NULL,
        [Application] nvarchar(64) NOT NULL,
        [MigrateEncryption] nvarchar(32) NOT NULL,
        [SnapshotId] nvarchar(128) NULL,
        CONSTRAINT [PK_DemoWorldVms] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [GroupMemberships] (
        [Id] bigint NOT NULL IDENTITY,
        [UserId] nvarchar(450) NOT NULL,
        [Group] nvarchar(256) NOT NULL,
        CONSTRAINT [PK_GroupMemberships] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Hosts] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ExternalId] nvarchar(512) NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [ClusterName] nvarchar(256) NULL,
        [ConnectionState] nvarchar(32) NOT NULL,
        [PowerState] nvarchar(32) NOT NULL,
        [InMaintenance] bit NOT NULL,
        [CpuCores] int NOT NULL,
        [MemoryMb] bigint NOT NULL,
        [MemoryUsedMb] bigint NOT NULL,
        CONSTRAINT [PK_Hosts] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Progress] (
        [RequestId] uniqueidentifier NOT NULL,
        [Phase] nvarchar(64) NOT NULL,
        [Percent] float NOT NULL,
        [BytesTransferred] bigint NULL,
        [BytesTotal] bigint NULL,
        [EtaSeconds] int NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        [HeartbeatAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_Progress] PRIMARY KEY ([RequestId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Requests] (
        [Id] uniqueidentifier NOT NULL,
        [VmId] uniqueidentifier NOT NULL,
        [VmName] nvarchar(256) NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ApplicationId] uniqueidentifier NULL,
        [ApplicationName] nvarchar(256) NULL,
        [SourceHostName] nvarchar(max) NULL,
        [SourceDatastoreName] nvarchar(max) NULL,
        [Kind] nvarchar(32) NOT NULL,
        [Live] bit NOT NULL,
        [TargetConnectionId] uniqueidentifier NOT NULL,
        [TargetHostId] nvarchar(512) NULL,
        [TargetHostName] nvarchar(256) NULL,
        [TargetDatastoreId] nvarchar(512) NULL,
        [TargetDatastoreName] nvarchar(256) NULL,
        [TargetPoolId] nvarchar(512) NULL,
        [ScheduleMode] nvarchar(32) NOT NULL,
        [ScheduleNotBefore] datetimeoffset NULL,
        [Justification] nvarchar(2000) NOT NULL,
        [TakeSnapshot] bit NOT NULL,
        [RequireEncryption] bit NOT NULL,
        [RequesterId] nvarchar(450) NOT NULL,
        [RequesterName] nvarchar(256) NOT NULL,
        [BatchId] uniqueidentifier NULL,
        [IsDemo] bit NOT NULL,
        [CreatedAt] datetimeoffset NOT NULL,
        [State] nvarchar(32) NOT NULL,
        [Version] int NOT NULL,
        [RequiredApprovals] int NOT NULL,
        [ApproverGroup] nvarchar(256) NULL,
        [PolicyReason] nvarchar(max) NULL,
        [ExpiresAt] datetimeoffset NULL,
        [ScheduledFor] datetimeoffset NULL,
        [OperationId] nvarchar(512) NULL,
        [SnapshotId] nvarchar(512) NULL,
        [CancelRequested] bit NOT NULL,
        [EncryptionApplied] nvarchar(max) NULL,
        [FailureReason] nvarchar(max) NULL,
        [StartedAt] datetimeoffset NULL,
        [CompletedAt] datetimeoffset NULL,
        CONSTRAINT [PK_Requests] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [Vms] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ExternalId] nvarchar(512) NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [PowerState] nvarchar(32) NOT NULL,
        [HostExternalId] nvarchar(512) NULL,
        [HostName] nvarchar(256) NULL,
        [ClusterName] nvarchar(256) NULL,
        [ResourcePool] nvarchar(512) NULL,
        [Datastores] nvarchar(max) NOT NULL,
        [Cpus] int NOT NULL,
        [MemoryMb] bigint NOT NULL,
        [ProvisionedGb] bigint NOT NULL,
        [UsedGb] bigint NOT NULL,
        [ApplicationTag] nvarchar(256) NULL,
        [ApplicationId] uniqueidentifier NULL,
        [MigrateEncryption] nvarchar(32) NULL,
        [SyncedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_Vms] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetRoleClaims] (
        [Id] int NOT NULL IDENTITY,
        [RoleId] nvarchar(450) NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetRoleClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetRoleClaims_AspNetRoles_RoleId] FOREIGN KEY ([RoleId]) REFERENCES [AspNetRoles] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserClaims] (
        [Id] int NOT NULL IDENTITY,
        [UserId] nvarchar(450) NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetUserClaims_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserLogins] (
        [LoginProvider] nvarchar(450) NOT NULL,
        [ProviderKey] nvarchar(450) NOT NULL,
        [ProviderDisplayName] nvarchar(max) NULL,
        [UserId] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_AspNetUserLogins] PRIMARY KEY ([LoginProvider], [ProviderKey]),
        CONSTRAINT [FK_AspNetUserLogins_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserRoles] (
        [UserId] nvarchar(450) NOT NULL,
        [RoleId] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_AspNetUserRoles] PRIMARY KEY ([UserId], [RoleId]),
        CONSTRAINT [FK_AspNetUserRoles_AspNetRoles_RoleId] FOREIGN KEY ([RoleId]) REFERENCES [AspNetRoles] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_AspNetUserRoles_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserTokens] (
        [UserId] nvarchar(450) NOT NULL,
        [LoginProvider] nvarchar(450) NOT NULL,
        [Name] nvarchar(450) NOT NULL,
        [Value] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserTokens] PRIMARY KEY ([UserId], [LoginProvider], [Name]),
        CONSTRAINT [FK_AspNetUserTokens_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [ApplicationOwner] (
        [Id] bigint NOT NULL IDENTITY,
        [ApplicationId] uniqueidentifier NOT NULL,
        [Kind] nvarchar(16) NOT NULL,
        [Principal] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_ApplicationOwner] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ApplicationOwner_BusinessApplications_ApplicationId] FOREIGN KEY ([ApplicationId]) REFERENCES [BusinessApplications] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [RequestDecisions] (
        [Id] bigint NOT NULL IDENTITY,
        [RequestId] uniqueidentifier NOT NULL,
        [ApproverId] nvarchar(450) NOT NULL,
        [ApproverName] nvarchar(256) NOT NULL,
        [Verdict] nvarchar(16) NOT NULL,
        [Comment] nvarchar(2000) NOT NULL,
        [At] datetimeoffset NOT NULL,
        CONSTRAINT [PK_RequestDecisions] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_RequestDecisions_Requests_RequestId] FOREIGN KEY ([RequestId]) REFERENCES [Requests] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [RequestSteps] (
        [Id] bigint NOT NULL IDENTITY,
        [RequestId] uniqueidentifier NOT NULL,
        [Name] nvarchar(64) NOT NULL,
        [Order] int NOT NULL,
        [Status] nvarchar(16) NOT NULL,
        [StartedAt] datetimeoffset NULL,
        [EndedAt] datetimeoffset NULL,
        [Message] nvarchar(4000) NULL,
        CONSTRAINT [PK_RequestSteps] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_RequestSteps_Requests_RequestId] FOREIGN KEY ([RequestId]) REFERENCES [Requests] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE TABLE [RequestTransitions] (
        [Id] bigint NOT NULL IDENTITY,
        [RequestId] uniqueidentifier NOT NULL,
        [From] nvarchar(32) NOT NULL,
        [To] nvarchar(32) NOT NULL,
        [ActorId] nvarchar(450) NOT NULL,
        [ActorName] nvarchar(256) NOT NULL,
        [At] datetimeoffset NOT NULL,
        [Reason] nvarchar(4000) NOT NULL,
        CONSTRAINT [PK_RequestTransitions] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_RequestTransitions_Requests_RequestId] FOREIGN KEY ([RequestId]) REFERENCES [Requests] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'LastHash', N'LastSequence') AND [object_id] = OBJECT_ID(N'[AuditChainHeads]'))
        SET IDENTITY_INSERT [AuditChainHeads] ON;
    EXEC(N'INSERT INTO [AuditChainHeads] ([Id], [LastHash], [LastSequence])
    VALUES (1, N''0000000000000000000000000000000000000000000000000000000000000000'', CAST(0 AS bigint))');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'LastHash', N'LastSequence') AND [object_id] = OBJECT_ID(N'[AuditChainHeads]'))
        SET IDENTITY_INSERT [AuditChainHeads] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ApplicationOwner_ApplicationId_Kind_Principal] ON [ApplicationOwner] ([ApplicationId], [Kind], [Principal]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetRoleClaims_RoleId] ON [AspNetRoleClaims] ([RoleId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [RoleNameIndex] ON [AspNetRoles] ([NormalizedName]) WHERE [NormalizedName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserClaims_UserId] ON [AspNetUserClaims] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserLogins_UserId] ON [AspNetUserLogins] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserRoles_RoleId] ON [AspNetUserRoles] ([RoleId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [EmailIndex] ON [AspNetUsers] ([NormalizedEmail]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [UserNameIndex] ON [AspNetUsers] ([NormalizedUserName]) WHERE [NormalizedUserName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEvents_Action] ON [AuditEvents] ([Action]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEvents_At] ON [AuditEvents] ([At]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEvents_RequestId] ON [AuditEvents] ([RequestId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_AuditEvents_Sequence] ON [AuditEvents] ([Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_BusinessApplications_Name] ON [BusinessApplications] ([Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Clusters_ConnectionId_ExternalId] ON [Clusters] ([ConnectionId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Connections_Name] ON [Connections] ([Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Datastores_ConnectionId_ExternalId] ON [Datastores] ([ConnectionId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_GroupMemberships_UserId_Group] ON [GroupMemberships] ([UserId], [Group]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Hosts_ConnectionId_ExternalId] ON [Hosts] ([ConnectionId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_RequestDecisions_RequestId_ApproverId] ON [RequestDecisions] ([RequestId], [ApproverId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Requests_ApplicationId] ON [Requests] ([ApplicationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Requests_RequesterId] ON [Requests] ([RequesterId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Requests_State] ON [Requests] ([State]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Requests_VmId] ON [Requests] ([VmId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_RequestSteps_RequestId_Name] ON [RequestSteps] ([RequestId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_RequestTransitions_RequestId] ON [RequestTransitions] ([RequestId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Vms_ApplicationId] ON [Vms] ([ApplicationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Vms_ConnectionId_ExternalId] ON [Vms] ([ConnectionId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Vms_HostName] ON [Vms] ([HostName]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    CREATE INDEX [IX_Vms_Name] ON [Vms] ([Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125180302_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261125180302_Initial', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Vms] ADD [Disks] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Vms] ADD [Networks] nvarchar(2048) NOT NULL DEFAULT N'';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Vms] ADD [SnapshotCount] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Requests] ADD [DowntimeMs] bigint NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Connections] ADD [CaCertificatePem] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Connections] ADD [ClientCertificatePem] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    ALTER TABLE [Connections] ADD [ProtectedClientKey] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    CREATE TABLE [Networks] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ExternalId] nvarchar(512) NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [Hosts] nvarchar(max) NOT NULL,
        CONSTRAINT [PK_Networks] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Networks_ConnectionId_ExternalId] ON [Networks] ([ConnectionId], [ExternalId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125195051_ConnectorSupport'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261125195051_ConnectorSupport', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    ALTER TABLE [Requests] ADD [EstimateBasis] nvarchar(1000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    ALTER TABLE [Requests] ADD [EstimatedBytes] bigint NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    ALTER TABLE [Requests] ADD [EstimatedSeconds] int NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    ALTER TABLE [Requests] ADD [PlannedStart] datetimeoffset NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    ALTER TABLE [Requests] ADD [QueueReason] nvarchar(1000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    ALTER TABLE [Requests] ADD [ScheduleWindowId] uniqueidentifier NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE TABLE [Blackouts] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(200) NOT NULL,
        [Recurrence] nvarchar(16) NOT NULL,
        [Expression] nvarchar(500) NULL,
        [TimeZoneId] nvarchar(64) NOT NULL,
        [LocalStart] nvarchar(19) NOT NULL,
        [DurationMinutes] int NOT NULL,
        [ScopeKind] nvarchar(16) NULL,
        [ScopeConnectionId] uniqueidentifier NULL,
        [ScopeKey] nvarchar(512) NULL,
        [ScopeName] nvarchar(256) NULL,
        [Enabled] bit NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_Blackouts] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE TABLE [CalendarFeeds] (
        [Id] uniqueidentifier NOT NULL,
        [UserId] nvarchar(450) NOT NULL,
        [UserName] nvarchar(256) NOT NULL,
        [TokenHash] nvarchar(64) NOT NULL,
        [Roles] nvarchar(1000) NOT NULL,
        [Groups] nvarchar(4000) NOT NULL,
        [CreatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_CalendarFeeds] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE TABLE [CapacitySlots] (
        [Resource] nvarchar(400) NOT NULL,
        [Unit] int NOT NULL,
        [ResourceName] nvarchar(600) NOT NULL,
        [RequestId] uniqueidentifier NOT NULL,
        [AcquiredAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_CapacitySlots] PRIMARY KEY ([Resource], [Unit])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE TABLE [ConcurrencyLimits] (
        [Id] int NOT NULL,
        [VSphereMigrationsPerHost] int NOT NULL,
        [VSphereStorageMigrationsPerHost] int NOT NULL,
        [KvmOutgoingPerHost] int NOT NULL,
        [KvmIncomingPerHost] int NOT NULL,
        [DatastoreBudget] int NOT NULL,
        [ComputeMigrationDatastoreCost] int NOT NULL,
        [StorageMigrationDatastoreCost] int NOT NULL,
        [PerConnection] int NOT NULL,
        [Global] int NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NULL,
        CONSTRAINT [PK_ConcurrencyLimits] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE TABLE [MaintenanceWindows] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(200) NOT NULL,
        [Recurrence] nvarchar(16) NOT NULL,
        [Expression] nvarchar(500) NULL,
        [TimeZoneId] nvarchar(64) NOT NULL,
        [LocalStart] nvarchar(19) NOT NULL,
        [DurationMinutes] int NOT NULL,
        [ScopeKind] nvarchar(16) NULL,
        [ScopeConnectionId] uniqueidentifier NULL,
        [ScopeKey] nvarchar(512) NULL,
        [ScopeName] nvarchar(256) NULL,
        [Enabled] bit NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_MaintenanceWindows] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Blackouts_Name] ON [Blackouts] ([Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE UNIQUE INDEX [IX_CalendarFeeds_TokenHash] ON [CalendarFeeds] ([TokenHash]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE UNIQUE INDEX [IX_CalendarFeeds_UserId] ON [CalendarFeeds] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE INDEX [IX_CapacitySlots_RequestId] ON [CapacitySlots] ([RequestId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    CREATE UNIQUE INDEX [IX_MaintenanceWindows_Name] ON [MaintenanceWindows] ([Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125204527_MaintenanceWindows'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261125204527_MaintenanceWindows', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125215917_Notifications'
)
BEGIN
    CREATE TABLE [DirectoryContacts] (
        [UserId] nvarchar(450) NOT NULL,
        [DisplayName] nvarchar(256) NOT NULL,
        [Email] nvarchar(256) NULL,
        [Roles] nvarchar(256) NOT NULL,
        [Groups] nvarchar(4000) NOT NULL,
        [SeenAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_DirectoryContacts] PRIMARY KEY ([UserId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125215917_Notifications'
)
BEGIN
    CREATE TABLE [NotificationCursors] (
        [Id] nvarchar(64) NOT NULL,
        [LastSequence] bigint NOT NULL,
        [LeaseOwner] nvarchar(64) NULL,
        [LeaseUntil] datetimeoffset NULL,
        CONSTRAINT [PK_NotificationCursors] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261125215917_Notifications'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261125215917_Notifications', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203095545_RunLeasesAndOneActiveRequestPerVm'
)
BEGIN
    CREATE TABLE [RunLeases] (
        [RequestId] uniqueidentifier NOT NULL,
        [Owner] nvarchar(128) NOT NULL,
        [Token] uniqueidentifier NOT NULL,
        [AcquiredAt] datetimeoffset NOT NULL,
        [HeartbeatAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_RunLeases] PRIMARY KEY ([RequestId]),
        CONSTRAINT [FK_RunLeases_Requests_RequestId] FOREIGN KEY ([RequestId]) REFERENCES [Requests] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203095545_RunLeasesAndOneActiveRequestPerVm'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Requests_VmId_Active] ON [Requests] ([VmId]) WHERE [State] IN (''Submitted'', ''PendingApproval'', ''Approved'', ''Scheduled'', ''Running'', ''Verifying'', ''RollingBack'')');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203095545_RunLeasesAndOneActiveRequestPerVm'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203095545_RunLeasesAndOneActiveRequestPerVm', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125200_TransferIntentAndNeedsAttention'
)
BEGIN
    DROP INDEX [IX_Requests_VmId_Active] ON [Requests];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125200_TransferIntentAndNeedsAttention'
)
BEGIN
    ALTER TABLE [Requests] ADD [AttentionReason] nvarchar(2000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125200_TransferIntentAndNeedsAttention'
)
BEGIN
    ALTER TABLE [Requests] ADD [TransferIntentAt] datetimeoffset NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125200_TransferIntentAndNeedsAttention'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Requests_VmId_Active] ON [Requests] ([VmId]) WHERE [State] IN (''Submitted'', ''PendingApproval'', ''Approved'', ''Scheduled'', ''Running'', ''Verifying'', ''RollingBack'', ''NeedsAttention'')');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125200_TransferIntentAndNeedsAttention'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203125200_TransferIntentAndNeedsAttention', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    CREATE TABLE [ConcurrencyLimitValues] (
        [Kind] nvarchar(32) NOT NULL,
        [Resource] nvarchar(64) NOT NULL,
        [Value] int NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_ConcurrencyLimitValues] PRIMARY KEY ([Kind], [Resource])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'host', "VSphereMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'host-storage', "VSphereStorageMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'datastore-budget', "DatastoreBudget", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'datastore-cost-compute', "ComputeMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'datastore-cost-storage', "StorageMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'host', "VSphereMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'host-storage', "VSphereStorageMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'datastore-budget', "DatastoreBudget", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'datastore-cost-compute', "ComputeMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'datastore-cost-storage', "StorageMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'host-out', "KvmOutgoingPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'host-in', "KvmIncomingPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'datastore-budget', "DatastoreBudget", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'datastore-cost-compute', "ComputeMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'datastore-cost-storage', "StorageMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'portal', 'global', "Global", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'portal', 'per-connection', "PerConnection", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    DROP TABLE [ConcurrencyLimits];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203125638_ConcurrencyLimitRows'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203125638_ConcurrencyLimitRows', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203133642_PowerStateEnumNames'
)
BEGIN
    UPDATE "Hosts" SET "PowerState" = CASE WHEN "PowerState" = 'poweredOn' THEN 'On' WHEN "PowerState" = 'poweredOff' THEN 'Off' WHEN "PowerState" = 'suspended' THEN 'Suspended' WHEN "PowerState" IN ('On', 'Off', 'Suspended', 'Unknown') THEN "PowerState" ELSE 'Unknown' END;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203133642_PowerStateEnumNames'
)
BEGIN
    UPDATE "Vms" SET "PowerState" = CASE WHEN "PowerState" = 'poweredOn' THEN 'On' WHEN "PowerState" = 'poweredOff' THEN 'Off' WHEN "PowerState" = 'suspended' THEN 'Suspended' WHEN "PowerState" IN ('On', 'Off', 'Suspended', 'Unknown') THEN "PowerState" ELSE 'Unknown' END;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203133642_PowerStateEnumNames'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203133642_PowerStateEnumNames', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203154735_ConversionSettingsAndStepData'
)
BEGIN
    ALTER TABLE [RequestSteps] ADD [Data] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203154735_ConversionSettingsAndStepData'
)
BEGIN
    ALTER TABLE [Requests] ADD [ConversionJson] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203154735_ConversionSettingsAndStepData'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203154735_ConversionSettingsAndStepData', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    CREATE TABLE [NetworkMaps] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [SourceConnectionId] uniqueidentifier NOT NULL,
        [DestinationConnectionId] uniqueidentifier NOT NULL,
        [EntriesJson] nvarchar(max) NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        [Version] int NOT NULL,
        CONSTRAINT [PK_NetworkMaps] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_NetworkMaps_Connections_DestinationConnectionId] FOREIGN KEY ([DestinationConnectionId]) REFERENCES [Connections] ([Id]),
        CONSTRAINT [FK_NetworkMaps_Connections_SourceConnectionId] FOREIGN KEY ([SourceConnectionId]) REFERENCES [Connections] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    CREATE TABLE [StorageMaps] (
        [Id] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [SourceConnectionId] uniqueidentifier NOT NULL,
        [DestinationConnectionId] uniqueidentifier NOT NULL,
        [EntriesJson] nvarchar(max) NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        [Version] int NOT NULL,
        CONSTRAINT [PK_StorageMaps] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_StorageMaps_Connections_DestinationConnectionId] FOREIGN KEY ([DestinationConnectionId]) REFERENCES [Connections] ([Id]),
        CONSTRAINT [FK_StorageMaps_Connections_SourceConnectionId] FOREIGN KEY ([SourceConnectionId]) REFERENCES [Connections] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    CREATE INDEX [IX_NetworkMaps_DestinationConnectionId] ON [NetworkMaps] ([DestinationConnectionId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    CREATE UNIQUE INDEX [IX_NetworkMaps_SourceConnectionId_DestinationConnectionId_Name] ON [NetworkMaps] ([SourceConnectionId], [DestinationConnectionId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    CREATE INDEX [IX_StorageMaps_DestinationConnectionId] ON [StorageMaps] ([DestinationConnectionId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    CREATE UNIQUE INDEX [IX_StorageMaps_SourceConnectionId_DestinationConnectionId_Name] ON [StorageMaps] ([SourceConnectionId], [DestinationConnectionId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203155347_ConversionMaps'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203155347_ConversionMaps', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203235817_AccessTokens'
)
BEGIN
    CREATE TABLE [AccessTokens] (
        [Id] uniqueidentifier NOT NULL,
        [UserId] nvarchar(450) NOT NULL,
        [UserName] nvarchar(256) NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [TokenHash] nvarchar(64) NOT NULL,
        [DisplayPrefix] nvarchar(16) NOT NULL,
        [Roles] nvarchar(200) NULL,
        [CreatedAt] datetimeoffset NOT NULL,
        [ExpiresAt] datetimeoffset NOT NULL,
        [LastUsedAt] datetimeoffset NULL,
        [LastAuditedUseAt] datetimeoffset NULL,
        [RevokedAt] datetimeoffset NULL,
        [RevokedBy] nvarchar(256) NULL,
        CONSTRAINT [PK_AccessTokens] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203235817_AccessTokens'
)
BEGIN
    CREATE UNIQUE INDEX [IX_AccessTokens_TokenHash] ON [AccessTokens] ([TokenHash]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203235817_AccessTokens'
)
BEGIN
    CREATE INDEX [IX_AccessTokens_UserId] ON [AccessTokens] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203235817_AccessTokens'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203235817_AccessTokens', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE TABLE [ClusterHeadrooms] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [ClusterName] nvarchar(256) NOT NULL,
        [CpuPercent] int NOT NULL,
        [MemoryPercent] int NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_ClusterHeadrooms] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ClusterHeadrooms_Connections_ConnectionId] FOREIGN KEY ([ConnectionId]) REFERENCES [Connections] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE TABLE [PlacementRules] (
        [Id] uniqueidentifier NOT NULL,
        [ConnectionId] uniqueidentifier NOT NULL,
        [Name] nvarchar(256) NOT NULL,
        [Kind] nvarchar(32) NOT NULL,
        [Enforcement] nvarchar(16) NOT NULL,
        [UpdatedBy] nvarchar(256) NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        [Version] int NOT NULL,
        CONSTRAINT [PK_PlacementRules] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_PlacementRules_Connections_ConnectionId] FOREIGN KEY ([ConnectionId]) REFERENCES [Connections] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE TABLE [PlacementRuleHosts] (
        [RuleId] uniqueidentifier NOT NULL,
        [HostId] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_PlacementRuleHosts] PRIMARY KEY ([RuleId], [HostId]),
        CONSTRAINT [FK_PlacementRuleHosts_Hosts_HostId] FOREIGN KEY ([HostId]) REFERENCES [Hosts] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_PlacementRuleHosts_PlacementRules_RuleId] FOREIGN KEY ([RuleId]) REFERENCES [PlacementRules] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE TABLE [PlacementRuleVms] (
        [RuleId] uniqueidentifier NOT NULL,
        [VmId] uniqueidentifier NOT NULL,
        CONSTRAINT [PK_PlacementRuleVms] PRIMARY KEY ([RuleId], [VmId]),
        CONSTRAINT [FK_PlacementRuleVms_PlacementRules_RuleId] FOREIGN KEY ([RuleId]) REFERENCES [PlacementRules] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_PlacementRuleVms_Vms_VmId] FOREIGN KEY ([VmId]) REFERENCES [Vms] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ClusterHeadrooms_ConnectionId_ClusterName] ON [ClusterHeadrooms] ([ConnectionId], [ClusterName]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE INDEX [IX_PlacementRuleHosts_HostId] ON [PlacementRuleHosts] ([HostId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE UNIQUE INDEX [IX_PlacementRules_ConnectionId_Name] ON [PlacementRules] ([ConnectionId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    CREATE INDEX [IX_PlacementRuleVms_VmId] ON [PlacementRuleVms] ([VmId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204033601_PlacementRules'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261204033601_PlacementRules', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204035049_Utilisation'
)
BEGIN
    ALTER TABLE [Connections] ADD [LastUtilisationAt] datetimeoffset NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204035049_Utilisation'
)
BEGIN
    ALTER TABLE [Connections] ADD [LastUtilisationError] nvarchar(1024) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204035049_Utilisation'
)
BEGIN
    CREATE TABLE [UtilisationSamples] (
        [SubjectId] uniqueidentifier NOT NULL,
        [ResolutionSeconds] int NOT NULL,
        [SlotStart] bigint NOT NULL,
        [CpuUsedMhz] real NOT NULL,
        [CpuCapacityMhz] real NULL,
        [MemoryUsedMb] int NOT NULL,
        [MemoryCapacityMb] int NULL,
        [CpuReadyPercent] real NULL,
        [DiskReadBytesPerSecond] real NULL,
        [DiskWriteBytesPerSecond] real NULL,
        [NetworkReceiveBytesPerSecond] real NULL,
        [NetworkTransmitBytesPerSecond] real NULL,
        [SampleCount] smallint NOT NULL,
        CONSTRAINT [PK_UtilisationSamples] PRIMARY KEY ([SubjectId], [ResolutionSeconds], [SlotStart])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204035049_Utilisation'
)
BEGIN
    CREATE INDEX [IX_UtilisationSamples_ResolutionSeconds_SlotStart] ON [UtilisationSamples] ([ResolutionSeconds], [SlotStart]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204035049_Utilisation'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261204035049_Utilisation', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204170723_PostMoveWatch'
)
BEGIN
    CREATE TABLE [PostMoveWatches] (
        [RequestId] uniqueidentifier NOT NULL,
        [VmId] uniqueidentifier NOT NULL,
        [MoveStartedAt] datetimeoffset NOT NULL,
        [StartedAt] datetimeoffset NOT NULL,
        [EndsAt] datetimeoffset NOT NULL,
        [State] nvarchar(32) NOT NULL,
        [EvaluatedAt] datetimeoffset NULL,
        [Summary] nvarchar(2000) NULL,
        [Figures] nvarchar(max) NOT NULL,
        [RollbackRequestId] uniqueidentifier NULL,
        CONSTRAINT [PK_PostMoveWatches] PRIMARY KEY ([RequestId]),
        CONSTRAINT [FK_PostMoveWatches_Requests_RequestId] FOREIGN KEY ([RequestId]) REFERENCES [Requests] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204170723_PostMoveWatch'
)
BEGIN
    CREATE INDEX [IX_PostMoveWatches_State_EndsAt] ON [PostMoveWatches] ([State], [EndsAt]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261204170723_PostMoveWatch'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261204170723_PostMoveWatch', N'10.0.15');
END;

COMMIT;
GO

