CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS "AccessTokens" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AccessTokens" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "UserName" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "TokenHash" TEXT NOT NULL,
    "DisplayPrefix" TEXT NOT NULL,
    "Roles" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "LastUsedAt" INTEGER NULL,
    "LastAuditedUseAt" INTEGER NULL,
    "RevokedAt" INTEGER NULL,
    "RevokedBy" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "ApprovalRules" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ApprovalRules" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Order" INTEGER NOT NULL,
    "ApplicationId" TEXT NULL,
    "Environment" TEXT NULL,
    "Criticality" TEXT NULL,
    "Kind" TEXT NULL,
    "TargetConnectionId" TEXT NULL,
    "Outcome" TEXT NOT NULL,
    "RequiredApprovals" INTEGER NOT NULL,
    "ApproverGroup" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "AspNetRoles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "AspNetUsers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetUsers" PRIMARY KEY,
    "DisplayName" TEXT NOT NULL,
    "UserName" TEXT NULL,
    "NormalizedUserName" TEXT NULL,
    "Email" TEXT NULL,
    "NormalizedEmail" TEXT NULL,
    "EmailConfirmed" INTEGER NOT NULL,
    "PasswordHash" TEXT NULL,
    "SecurityStamp" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL,
    "PhoneNumber" TEXT NULL,
    "PhoneNumberConfirmed" INTEGER NOT NULL,
    "TwoFactorEnabled" INTEGER NOT NULL,
    "LockoutEnd" INTEGER NULL,
    "LockoutEnabled" INTEGER NOT NULL,
    "AccessFailedCount" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "AuditChainHeads" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditChainHeads" PRIMARY KEY,
    "LastSequence" INTEGER NOT NULL,
    "LastHash" TEXT NOT NULL
);


CREATE TABLE IF NOT EXISTS "AuditEvents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AuditEvents" PRIMARY KEY,
    "Sequence" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "ActorId" TEXT NOT NULL,
    "ActorName" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "EntityType" TEXT NULL,
    "EntityId" TEXT NULL,
    "VmName" TEXT NULL,
    "RequestId" TEXT NULL,
    "Details" TEXT NOT NULL,
    "IsDemo" INTEGER NOT NULL,
    "PreviousHash" TEXT NOT NULL,
    "Hash" TEXT NOT NULL
);


CREATE TABLE IF NOT EXISTS "Batches" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Batches" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "CreatedById" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "Blackouts" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Blackouts" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Recurrence" TEXT NOT NULL,
    "Expression" TEXT NULL,
    "TimeZoneId" TEXT NOT NULL,
    "LocalStart" TEXT NOT NULL,
    "DurationMinutes" INTEGER NOT NULL,
    "ScopeKind" TEXT NULL,
    "ScopeConnectionId" TEXT NULL,
    "ScopeKey" TEXT NULL,
    "ScopeName" TEXT NULL,
    "Enabled" INTEGER NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "BusinessApplications" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_BusinessApplications" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Environment" TEXT NULL,
    "Criticality" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "CalendarFeeds" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_CalendarFeeds" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "UserName" TEXT NOT NULL,
    "TokenHash" TEXT NOT NULL,
    "Roles" TEXT NOT NULL,
    "Groups" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "CapacitySlots" (
    "Resource" TEXT NOT NULL,
    "Unit" INTEGER NOT NULL,
    "ResourceName" TEXT NOT NULL,
    "RequestId" TEXT NOT NULL,
    "AcquiredAt" INTEGER NOT NULL,
    CONSTRAINT "PK_CapacitySlots" PRIMARY KEY ("Resource", "Unit")
);


CREATE TABLE IF NOT EXISTS "Clusters" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Clusters" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "ExternalId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Datacenter" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "ConcurrencyLimitValues" (
    "Kind" TEXT NOT NULL,
    "Resource" TEXT NOT NULL,
    "Value" INTEGER NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "PK_ConcurrencyLimitValues" PRIMARY KEY ("Kind", "Resource")
);


CREATE TABLE IF NOT EXISTS "Connections" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Connections" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Endpoint" TEXT NOT NULL,
    "Username" TEXT NULL,
    "ProtectedSecret" TEXT NULL,
    "CaCertificatePem" TEXT NULL,
    "ClientCertificatePem" TEXT NULL,
    "ProtectedClientKey" TEXT NULL,
    "PinnedThumbprint" TEXT NULL,
    "AllowUnencryptedMigration" INTEGER NOT NULL,
    "LastSyncedAt" INTEGER NULL,
    "LastSyncError" TEXT NULL,
    "LastUtilisationAt" INTEGER NULL,
    "LastUtilisationError" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "DataProtectionKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "Datastores" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Datastores" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "ExternalId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "CapacityGb" INTEGER NOT NULL,
    "FreeGb" INTEGER NOT NULL,
    "Accessible" INTEGER NOT NULL,
    "MountedOnHosts" TEXT NOT NULL
);


CREATE TABLE IF NOT EXISTS "DemoWorldTasks" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_DemoWorldTasks" PRIMARY KEY,
    "VmId" TEXT NOT NULL,
    "TargetHostId" TEXT NULL,
    "TargetDatastore" TEXT NULL,
    "StartedAt" INTEGER NOT NULL,
    "DurationMs" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Message" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "DemoWorldVms" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_DemoWorldVms" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "HostId" TEXT NOT NULL,
    "Datastore" TEXT NOT NULL,
    "PowerState" TEXT NOT NULL,
    "Cpus" INTEGER NOT NULL,
    "MemoryMb" INTEGER NOT NULL,
    "DiskGb" INTEGER NOT NULL,
    "Application" TEXT NOT NULL,
    "MigrateEncryption" TEXT NOT NULL,
    "SnapshotId" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "DirectoryContacts" (
    "UserId" TEXT NOT NULL CONSTRAINT "PK_DirectoryContacts" PRIMARY KEY,
    "DisplayName" TEXT NOT NULL,
    "Email" TEXT NULL,
    "Roles" TEXT NOT NULL,
    "Groups" TEXT NOT NULL,
    "SeenAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "GroupMemberships" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_GroupMemberships" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "Group" TEXT NOT NULL
);


CREATE TABLE IF NOT EXISTS "Hosts" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Hosts" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "ExternalId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "ClusterName" TEXT NULL,
    "ConnectionState" TEXT NOT NULL,
    "PowerState" TEXT NOT NULL,
    "InMaintenance" INTEGER NOT NULL,
    "CpuCores" INTEGER NOT NULL,
    "MemoryMb" INTEGER NOT NULL,
    "MemoryUsedMb" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "MaintenanceWindows" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_MaintenanceWindows" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Recurrence" TEXT NOT NULL,
    "Expression" TEXT NULL,
    "TimeZoneId" TEXT NOT NULL,
    "LocalStart" TEXT NOT NULL,
    "DurationMinutes" INTEGER NOT NULL,
    "ScopeKind" TEXT NULL,
    "ScopeConnectionId" TEXT NULL,
    "ScopeKey" TEXT NULL,
    "ScopeName" TEXT NULL,
    "Enabled" INTEGER NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "Networks" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Networks" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "ExternalId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Hosts" TEXT NOT NULL
);


CREATE TABLE IF NOT EXISTS "NotificationCursors" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_NotificationCursors" PRIMARY KEY,
    "LastSequence" INTEGER NOT NULL,
    "LeaseOwner" TEXT NULL,
    "LeaseUntil" INTEGER NULL
);


CREATE TABLE IF NOT EXISTS "Progress" (
    "RequestId" TEXT NOT NULL CONSTRAINT "PK_Progress" PRIMARY KEY,
    "Phase" TEXT NOT NULL,
    "Percent" REAL NOT NULL,
    "BytesTransferred" INTEGER NULL,
    "BytesTotal" INTEGER NULL,
    "EtaSeconds" INTEGER NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "HeartbeatAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "Requests" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Requests" PRIMARY KEY,
    "VmId" TEXT NOT NULL,
    "VmName" TEXT NOT NULL,
    "ConnectionId" TEXT NOT NULL,
    "ApplicationId" TEXT NULL,
    "ApplicationName" TEXT NULL,
    "SourceHostName" TEXT NULL,
    "SourceDatastoreName" TEXT NULL,
    "Kind" TEXT NOT NULL,
    "Live" INTEGER NOT NULL,
    "TargetConnectionId" TEXT NOT NULL,
    "TargetHostId" TEXT NULL,
    "TargetHostName" TEXT NULL,
    "TargetDatastoreId" TEXT NULL,
    "TargetDatastoreName" TEXT NULL,
    "TargetPoolId" TEXT NULL,
    "ScheduleMode" TEXT NOT NULL,
    "ScheduleNotBefore" INTEGER NULL,
    "ScheduleWindowId" TEXT NULL,
    "Justification" TEXT NOT NULL,
    "TakeSnapshot" INTEGER NOT NULL,
    "RequireEncryption" INTEGER NOT NULL,
    "ConversionJson" TEXT NULL,
    "RequesterId" TEXT NOT NULL,
    "RequesterName" TEXT NOT NULL,
    "BatchId" TEXT NULL,
    "IsDemo" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "RequiredApprovals" INTEGER NOT NULL,
    "ApproverGroup" TEXT NULL,
    "PolicyReason" TEXT NULL,
    "ExpiresAt" INTEGER NULL,
    "ScheduledFor" INTEGER NULL,
    "OperationId" TEXT NULL,
    "TransferIntentAt" INTEGER NULL,
    "AttentionReason" TEXT NULL,
    "SnapshotId" TEXT NULL,
    "CancelRequested" INTEGER NOT NULL,
    "EncryptionApplied" TEXT NULL,
    "DowntimeMs" INTEGER NULL,
    "FailureReason" TEXT NULL,
    "StartedAt" INTEGER NULL,
    "CompletedAt" INTEGER NULL,
    "EstimatedSeconds" INTEGER NULL,
    "EstimateBasis" TEXT NULL,
    "EstimatedBytes" INTEGER NULL,
    "PlannedStart" INTEGER NULL,
    "QueueReason" TEXT NULL
);


CREATE TABLE IF NOT EXISTS "UtilisationSamples" (
    "SubjectId" BLOB NOT NULL,
    "ResolutionSeconds" INTEGER NOT NULL,
    "SlotStart" INTEGER NOT NULL,
    "CpuUsedMhz" REAL NOT NULL,
    "CpuCapacityMhz" REAL NULL,
    "MemoryUsedMb" INTEGER NOT NULL,
    "MemoryCapacityMb" INTEGER NULL,
    "CpuReadyPercent" REAL NULL,
    "DiskReadBytesPerSecond" REAL NULL,
    "DiskWriteBytesPerSecond" REAL NULL,
    "NetworkReceiveBytesPerSecond" REAL NULL,
    "NetworkTransmitBytesPerSecond" REAL NULL,
    "SampleCount" INTEGER NOT NULL,
    CONSTRAINT "PK_UtilisationSamples" PRIMARY KEY ("SubjectId", "ResolutionSeconds", "SlotStart")
);


CREATE TABLE IF NOT EXISTS "Vms" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Vms" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "ExternalId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "PowerState" TEXT NOT NULL,
    "HostExternalId" TEXT NULL,
    "HostName" TEXT NULL,
    "ClusterName" TEXT NULL,
    "ResourcePool" TEXT NULL,
    "Datastores" TEXT NOT NULL,
    "Cpus" INTEGER NOT NULL,
    "MemoryMb" INTEGER NOT NULL,
    "ProvisionedGb" INTEGER NOT NULL,
    "UsedGb" INTEGER NOT NULL,
    "ApplicationTag" TEXT NULL,
    "ApplicationId" TEXT NULL,
    "MigrateEncryption" TEXT NULL,
    "Networks" TEXT NOT NULL,
    "SnapshotCount" INTEGER NOT NULL,
    "Disks" TEXT NULL,
    "SyncedAt" INTEGER NOT NULL
);


CREATE TABLE IF NOT EXISTS "AspNetRoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "AspNetUserClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "AspNetUserLogins" (
    "LoginProvider" TEXT NOT NULL,
    "ProviderKey" TEXT NOT NULL,
    "ProviderDisplayName" TEXT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
    CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "AspNetUserRoles" (
    "UserId" TEXT NOT NULL,
    "RoleId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
    CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "AspNetUserTokens" (
    "UserId" TEXT NOT NULL,
    "LoginProvider" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" TEXT NULL,
    CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "ApplicationOwner" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ApplicationOwner" PRIMARY KEY AUTOINCREMENT,
    "ApplicationId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Principal" TEXT NOT NULL,
    CONSTRAINT "FK_ApplicationOwner_BusinessApplications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "BusinessApplications" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "ClusterHeadrooms" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ClusterHeadrooms" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "ClusterName" TEXT NOT NULL,
    "CpuPercent" INTEGER NOT NULL,
    "MemoryPercent" INTEGER NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_ClusterHeadrooms_Connections_ConnectionId" FOREIGN KEY ("ConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "NetworkMaps" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_NetworkMaps" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "SourceConnectionId" TEXT NOT NULL,
    "DestinationConnectionId" TEXT NOT NULL,
    "EntriesJson" TEXT NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    CONSTRAINT "FK_NetworkMaps_Connections_DestinationConnectionId" FOREIGN KEY ("DestinationConnectionId") REFERENCES "Connections" ("Id"),
    CONSTRAINT "FK_NetworkMaps_Connections_SourceConnectionId" FOREIGN KEY ("SourceConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "PlacementRules" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_PlacementRules" PRIMARY KEY,
    "ConnectionId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Enforcement" TEXT NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    CONSTRAINT "FK_PlacementRules_Connections_ConnectionId" FOREIGN KEY ("ConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "StorageMaps" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_StorageMaps" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "SourceConnectionId" TEXT NOT NULL,
    "DestinationConnectionId" TEXT NOT NULL,
    "EntriesJson" TEXT NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    CONSTRAINT "FK_StorageMaps_Connections_DestinationConnectionId" FOREIGN KEY ("DestinationConnectionId") REFERENCES "Connections" ("Id"),
    CONSTRAINT "FK_StorageMaps_Connections_SourceConnectionId" FOREIGN KEY ("SourceConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "PostMoveWatches" (
    "RequestId" TEXT NOT NULL CONSTRAINT "PK_PostMoveWatches" PRIMARY KEY,
    "VmId" TEXT NOT NULL,
    "MoveStartedAt" INTEGER NOT NULL,
    "StartedAt" INTEGER NOT NULL,
    "EndsAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "EvaluatedAt" INTEGER NULL,
    "Summary" TEXT NULL,
    "Figures" TEXT NOT NULL,
    "RollbackRequestId" TEXT NULL,
    CONSTRAINT "FK_PostMoveWatches_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "RequestDecisions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RequestDecisions" PRIMARY KEY AUTOINCREMENT,
    "RequestId" TEXT NOT NULL,
    "ApproverId" TEXT NOT NULL,
    "ApproverName" TEXT NOT NULL,
    "Verdict" TEXT NOT NULL,
    "Comment" TEXT NOT NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "FK_RequestDecisions_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "RequestSteps" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RequestSteps" PRIMARY KEY AUTOINCREMENT,
    "RequestId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Order" INTEGER NOT NULL,
    "Status" TEXT NOT NULL,
    "StartedAt" INTEGER NULL,
    "EndedAt" INTEGER NULL,
    "Message" TEXT NULL,
    "Data" TEXT NULL,
    CONSTRAINT "FK_RequestSteps_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "RequestTransitions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RequestTransitions" PRIMARY KEY AUTOINCREMENT,
    "RequestId" TEXT NOT NULL,
    "From" TEXT NOT NULL,
    "To" TEXT NOT NULL,
    "ActorId" TEXT NOT NULL,
    "ActorName" TEXT NOT NULL,
    "At" INTEGER NOT NULL,
    "Reason" TEXT NOT NULL,
    CONSTRAINT "FK_RequestTransitions_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "RunLeases" (
    "RequestId" TEXT NOT NULL CONSTRAINT "PK_RunLeases" PRIMARY KEY,
    "Owner" TEXT NOT NULL,
    "Token" TEXT NOT NULL,
    "AcquiredAt" INTEGER NOT NULL,
    "HeartbeatAt" INTEGER NOT NULL,
    CONSTRAINT "FK_RunLeases_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "PlacementRuleHosts" (
    "RuleId" TEXT NOT NULL,
    "HostId" TEXT NOT NULL,
    CONSTRAINT "PK_PlacementRuleHosts" PRIMARY KEY ("RuleId", "HostId"),
    CONSTRAINT "FK_PlacementRuleHosts_Hosts_HostId" FOREIGN KEY ("HostId") REFERENCES "Hosts" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_PlacementRuleHosts_PlacementRules_RuleId" FOREIGN KEY ("RuleId") REFERENCES "PlacementRules" ("Id") ON DELETE CASCADE
);


CREATE TABLE IF NOT EXISTS "PlacementRuleVms" (
    "RuleId" TEXT NOT NULL,
    "VmId" TEXT NOT NULL,
    CONSTRAINT "PK_PlacementRuleVms" PRIMARY KEY ("RuleId", "VmId"),
    CONSTRAINT "FK_PlacementRuleVms_PlacementRules_RuleId" FOREIGN KEY ("RuleId") REFERENCES "PlacementRules" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_PlacementRuleVms_Vms_VmId" FOREIGN KEY ("VmId") REFERENCES "Vms" ("Id") ON DELETE CASCADE
);


INSERT OR IGNORE INTO "AuditChainHeads" ("Id", "LastHash", "LastSequence")
VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000', 0);
SELECT changes();



CREATE UNIQUE INDEX IF NOT EXISTS "IX_AccessTokens_TokenHash" ON "AccessTokens" ("TokenHash");


CREATE INDEX IF NOT EXISTS "IX_AccessTokens_UserId" ON "AccessTokens" ("UserId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_ApplicationOwner_ApplicationId_Kind_Principal" ON "ApplicationOwner" ("ApplicationId", "Kind", "Principal");


CREATE INDEX IF NOT EXISTS "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");


CREATE UNIQUE INDEX IF NOT EXISTS "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");


CREATE INDEX IF NOT EXISTS "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");


CREATE INDEX IF NOT EXISTS "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");


CREATE INDEX IF NOT EXISTS "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");


CREATE INDEX IF NOT EXISTS "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");


CREATE UNIQUE INDEX IF NOT EXISTS "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");


CREATE INDEX IF NOT EXISTS "IX_AuditEvents_Action" ON "AuditEvents" ("Action");


CREATE INDEX IF NOT EXISTS "IX_AuditEvents_At" ON "AuditEvents" ("At");


CREATE INDEX IF NOT EXISTS "IX_AuditEvents_RequestId" ON "AuditEvents" ("RequestId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_AuditEvents_Sequence" ON "AuditEvents" ("Sequence");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Blackouts_Name" ON "Blackouts" ("Name");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_BusinessApplications_Name" ON "BusinessApplications" ("Name");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_CalendarFeeds_TokenHash" ON "CalendarFeeds" ("TokenHash");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_CalendarFeeds_UserId" ON "CalendarFeeds" ("UserId");


CREATE INDEX IF NOT EXISTS "IX_CapacitySlots_RequestId" ON "CapacitySlots" ("RequestId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_ClusterHeadrooms_ConnectionId_ClusterName" ON "ClusterHeadrooms" ("ConnectionId", "ClusterName");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Clusters_ConnectionId_ExternalId" ON "Clusters" ("ConnectionId", "ExternalId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Connections_Name" ON "Connections" ("Name");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Datastores_ConnectionId_ExternalId" ON "Datastores" ("ConnectionId", "ExternalId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_GroupMemberships_UserId_Group" ON "GroupMemberships" ("UserId", "Group");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Hosts_ConnectionId_ExternalId" ON "Hosts" ("ConnectionId", "ExternalId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_MaintenanceWindows_Name" ON "MaintenanceWindows" ("Name");


CREATE INDEX IF NOT EXISTS "IX_NetworkMaps_DestinationConnectionId" ON "NetworkMaps" ("DestinationConnectionId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_NetworkMaps_SourceConnectionId_DestinationConnectionId_Name" ON "NetworkMaps" ("SourceConnectionId", "DestinationConnectionId", "Name");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Networks_ConnectionId_ExternalId" ON "Networks" ("ConnectionId", "ExternalId");


CREATE INDEX IF NOT EXISTS "IX_PlacementRuleHosts_HostId" ON "PlacementRuleHosts" ("HostId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_PlacementRules_ConnectionId_Name" ON "PlacementRules" ("ConnectionId", "Name");


CREATE INDEX IF NOT EXISTS "IX_PlacementRuleVms_VmId" ON "PlacementRuleVms" ("VmId");


CREATE INDEX IF NOT EXISTS "IX_PostMoveWatches_State_EndsAt" ON "PostMoveWatches" ("State", "EndsAt");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_RequestDecisions_RequestId_ApproverId" ON "RequestDecisions" ("RequestId", "ApproverId");


CREATE INDEX IF NOT EXISTS "IX_Requests_ApplicationId" ON "Requests" ("ApplicationId");


CREATE INDEX IF NOT EXISTS "IX_Requests_RequesterId" ON "Requests" ("RequesterId");


CREATE INDEX IF NOT EXISTS "IX_Requests_State" ON "Requests" ("State");


CREATE INDEX IF NOT EXISTS "IX_Requests_VmId" ON "Requests" ("VmId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Requests_VmId_Active" ON "Requests" ("VmId") WHERE "State" IN ('Submitted', 'PendingApproval', 'Approved', 'Scheduled', 'Running', 'Verifying', 'RollingBack', 'NeedsAttention');


CREATE UNIQUE INDEX IF NOT EXISTS "IX_RequestSteps_RequestId_Name" ON "RequestSteps" ("RequestId", "Name");


CREATE INDEX IF NOT EXISTS "IX_RequestTransitions_RequestId" ON "RequestTransitions" ("RequestId");


CREATE INDEX IF NOT EXISTS "IX_StorageMaps_DestinationConnectionId" ON "StorageMaps" ("DestinationConnectionId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_StorageMaps_SourceConnectionId_DestinationConnectionId_Name" ON "StorageMaps" ("SourceConnectionId", "DestinationConnectionId", "Name");


CREATE INDEX IF NOT EXISTS "IX_UtilisationSamples_ResolutionSeconds_SlotStart" ON "UtilisationSamples" ("ResolutionSeconds", "SlotStart");


CREATE INDEX IF NOT EXISTS "IX_Vms_ApplicationId" ON "Vms" ("ApplicationId");


CREATE UNIQUE INDEX IF NOT EXISTS "IX_Vms_ConnectionId_ExternalId" ON "Vms" ("ConnectionId", "ExternalId");


CREATE INDEX IF NOT EXISTS "IX_Vms_HostName" ON "Vms" ("HostName");


CREATE INDEX IF NOT EXISTS "IX_Vms_Name" ON "Vms" ("Name");

INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125180249_Initial', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125195043_ConnectorSupport', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125204414_MaintenanceWindows', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261125215909_Notifications', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203095247_RunLeasesAndOneActiveRequestPerVm', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203125124_TransferIntentAndNeedsAttention', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203125548_ConcurrencyLimitRows', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203133411_PowerStateEnumNames', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203154716_ConversionSettingsAndStepData', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203155319_ConversionMaps', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261203235735_AccessTokens', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261204033548_PlacementRules', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261204035023_Utilisation', '10.0.15');
INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261204170624_PostMoveWatch', '10.0.15');

COMMIT;
