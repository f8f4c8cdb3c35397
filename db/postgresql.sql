CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "ApprovalRules" (
        "Id" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "Order" integer NOT NULL,
        "ApplicationId" uuid,
        "Environment" character varying(64),
        "Criticality" character varying(64),
        "Kind" character varying(32),
        "TargetConnectionId" uuid,
        "Outcome" character varying(32) NOT NULL,
        "RequiredApprovals" integer NOT NULL,
        "ApproverGroup" character varying(256),
        CONSTRAINT "PK_ApprovalRules" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetRoles" (
        "Id" text NOT NULL,
        "Name" character varying(256),
        "NormalizedName" character varying(256),
        "ConcurrencyStamp" text,
        CONSTRAINT "PK_AspNetRoles" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetUsers" (
        "Id" text NOT NULL,
        "DisplayName" text NOT NULL,
        "UserName" character varying(256),
        "NormalizedUserName" character varying(256),
        "Email" character varying(256),
        "NormalizedEmail" character varying(256),
        "EmailConfirmed" boolean NOT NULL,
        "PasswordHash" text,
        "SecurityStamp" text,
        "ConcurrencyStamp" text,
        "PhoneNumber" text,
        "PhoneNumberConfirmed" boolean NOT NULL,
        "TwoFactorEnabled" boolean NOT NULL,
        "LockoutEnd" timestamp with time zone,
        "LockoutEnabled" boolean NOT NULL,
        "AccessFailedCount" integer NOT NULL,
        CONSTRAINT "PK_AspNetUsers" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AuditChainHeads" (
        "Id" integer NOT NULL,
        "LastSequence" bigint NOT NULL,
        "LastHash" character varying(64) NOT NULL,
        CONSTRAINT "PK_AuditChainHeads" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AuditEvents" (
        "Id" uuid NOT NULL,
        "Sequence" bigint NOT NULL,
        "At" timestamp with time zone NOT NULL,
        "ActorId" character varying(450) NOT NULL,
        "ActorName" character varying(256) NOT NULL,
        "Action" character varying(64) NOT NULL,
        "EntityType" character varying(64),
        "EntityId" character varying(450),
        "VmName" character varying(256),
        "RequestId" uuid,
        "Details" text NOT NULL,
        "IsDemo" boolean NOT NULL,
        "PreviousHash" character varying(64) NOT NULL,
        "Hash" character varying(64) NOT NULL,
        CONSTRAINT "PK_AuditEvents" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Batches" (
        "Id" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "CreatedById" character varying(450) NOT NULL,
        "CreatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_Batches" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "BusinessApplications" (
        "Id" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "Environment" character varying(64),
        "Criticality" character varying(64),
        CONSTRAINT "PK_BusinessApplications" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Clusters" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ExternalId" character varying(512) NOT NULL,
        "Name" character varying(256) NOT NULL,
        "Datacenter" character varying(256),
        CONSTRAINT "PK_Clusters" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Connections" (
        "Id" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "Kind" character varying(32) NOT NULL,
        "Endpoint" character varying(1024) NOT NULL,
        "Username" character varying(256),
        "ProtectedSecret" text,
        "PinnedThumbprint" character varying(128),
        "AllowUnencryptedMigration" boolean NOT NULL,
        "LastSyncedAt" timestamp with time zone,
        "LastSyncError" text,
        CONSTRAINT "PK_Connections" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "DataProtectionKeys" (
        "Id" integer GENERATED BY DEFAULT AS IDENTITY,
        "FriendlyName" text,
        "Xml" text,
        CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Datastores" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ExternalId" character varying(512) NOT NULL,
        "Name" character varying(256) NOT NULL,
        "CapacityGb" bigint NOT NULL,
        "FreeGb" bigint NOT NULL,
        "Accessible" boolean NOT NULL,
        "MountedOnHosts" text NOT NULL,
        CONSTRAINT "PK_Datastores" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "DemoWorldTasks" (
        "Id" character varying(64) NOT NULL,
        "VmId" character varying(64) NOT NULL,
        "TargetHostId" character varying(64),
        "TargetDatastore" character varying(64),
        "StartedAt" timestamp with time zone NOT NULL,
        "DurationMs" bigint NOT NULL,
        "State" character varying(16) NOT NULL,
        "Message" character varying(1024),
        CONSTRAINT "PK_DemoWorldTasks" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "DemoWorldVms" (
        "Id" character varying(64) NOT NULL,
        "Name" character varying(128) NOT NULL,
        "HostId" character varying(64) NOT NULL,
        "Datastore" character varying(64) NOT NULL,
        "PowerState" character varying(32) NOT NULL,
        "Cpus" integer NOT NULL,
        "MemoryMb" bigint NOT NULL,
        "DiskGb" bigint NOT NULL,
        "Application" character varying(64) NOT NULL,
        "MigrateEncryption" character varying(32) NOT NULL,
        "SnapshotId" character varying(128),
        CONSTRAINT "PK_DemoWorldVms" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "GroupMemberships" (
        "Id" bigint GENERATED BY DEFAULT AS IDENTITY,
        "UserId" character varying(450) NOT NULL,
        "Group" character varying(256) NOT NULL,
        CONSTRAINT "PK_GroupMemberships" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Hosts" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ExternalId" character varying(512) NOT NULL,
        "Name" character varying(256) NOT NULL,
        "ClusterName" character varying(256),
        "ConnectionState" character varying(32) NOT NULL,
        "PowerState" character varying(32) NOT NULL,
        "InMaintenance" boolean NOT NULL,
        "CpuCores" integer NOT NULL,
        "MemoryMb" bigint NOT NULL,
        "MemoryUsedMb" bigint NOT NULL,
        CONSTRAINT "PK_Hosts" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Progress" (
        "RequestId" uuid NOT NULL,
        "Phase" character varying(64) NOT NULL,
        "Percent" double precision NOT NULL,
        "BytesTransferred" bigint,
        "BytesTotal" bigint,
        "EtaSeconds" integer,
        "UpdatedAt" timestamp with time zone NOT NULL,
        "HeartbeatAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_Progress" PRIMARY KEY ("RequestId")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Requests" (
        "Id" uuid NOT NULL,
        "VmId" uuid NOT NULL,
        "VmName" character varying(256) NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ApplicationId" uuid,
        "ApplicationName" character varying(256),
        "SourceHostName" text,
        "SourceDatastoreName" text,
        "Kind" character varying(32) NOT NULL,
        "Live" boolean NOT NULL,
        "TargetConnectionId" uuid NOT NULL,
        "TargetHostId" character varying(512),
        "TargetHostName" character varying(256),
        "TargetDatastoreId" character varying(512),
        "TargetDatastoreName" character varying(256),
        "TargetPoolId" character varying(512),
        "ScheduleMode" character varying(32) NOT NULL,
        "ScheduleNotBefore" timestamp with time zone,
        "Justification" character varying(2000) NOT NULL,
        "TakeSnapshot" boolean NOT NULL,
        "RequireEncryption" boolean NOT NULL,
        "RequesterId" character varying(450) NOT NULL,
        "RequesterName" character varying(256) NOT NULL,
        "BatchId" uuid,
        "IsDemo" boolean NOT NULL,
        "CreatedAt" timestamp with time zone NOT NULL,
        "State" character varying(32) NOT NULL,
        "Version" integer NOT NULL,
        "RequiredApprovals" integer NOT NULL,
        "ApproverGroup" character varying(256),
        "PolicyReason" text,
        "ExpiresAt" timestamp with time zone,
        "ScheduledFor" timestamp with time zone,
        "OperationId" character varying(512),
        "SnapshotId" character varying(512),
        "CancelRequested" boolean NOT NULL,
        "EncryptionApplied" text,
        "FailureReason" text,
        "StartedAt" timestamp with time zone,
        "CompletedAt" timestamp with time zone,
        CONSTRAINT "PK_Requests" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "Vms" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ExternalId" character varying(512) NOT NULL,
        "Name" character varying(256) NOT NULL,
        "PowerState" character varying(32) NOT NULL,
        "HostExternalId" character varying(512),
        "HostName" character varying(256),
        "ClusterName" character varying(256),
        "ResourcePool" character varying(512),
        "Datastores" text NOT NULL,
        "Cpus" integer NOT NULL,
        "MemoryMb" bigint NOT NULL,
        "ProvisionedGb" bigint NOT NULL,
        "UsedGb" bigint NOT NULL,
        "ApplicationTag" character varying(256),
        "ApplicationId" uuid,
        "MigrateEncryption" character varying(32),
        "SyncedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_Vms" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetRoleClaims" (
        "Id" integer GENERATED BY DEFAULT AS IDENTITY,
        "RoleId" text NOT NULL,
        "ClaimType" text,
        "ClaimValue" text,
        CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetUserClaims" (
        "Id" integer GENERATED BY DEFAULT AS IDENTITY,
        "UserId" text NOT NULL,
        "ClaimType" text,
        "ClaimValue" text,
        CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetUserLogins" (
        "LoginProvider" text NOT NULL,
        "ProviderKey" text NOT NULL,
        "ProviderDisplayName" text,
        "UserId" text NOT NULL,
        CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
        CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetUserRoles" (
        "UserId" text NOT NULL,
        "RoleId" text NOT NULL,
        CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
        CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
        CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "AspNetUserTokens" (
        "UserId" text NOT NULL,
        "LoginProvider" text NOT NULL,
        "Name" text NOT NULL,
        "Value" text,
        CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
        CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "ApplicationOwner" (
        "Id" bigint GENERATED BY DEFAULT AS IDENTITY,
        "ApplicationId" uuid NOT NULL,
        "Kind" character varying(16) NOT NULL,
        "Principal" character varying(450) NOT NULL,
        CONSTRAINT "PK_ApplicationOwner" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_ApplicationOwner_BusinessApplications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "BusinessApplications" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "RequestDecisions" (
        "Id" bigint GENERATED BY DEFAULT AS IDENTITY,
        "RequestId" uuid NOT NULL,
        "ApproverId" character varying(450) NOT NULL,
        "ApproverName" character varying(256) NOT NULL,
        "Verdict" character varying(16) NOT NULL,
        "Comment" character varying(2000) NOT NULL,
        "At" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_RequestDecisions" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_RequestDecisions_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "RequestSteps" (
        "Id" bigint GENERATED BY DEFAULT AS IDENTITY,
        "RequestId" uuid NOT NULL,
        "Name" character varying(64) NOT NULL,
        "Order" integer NOT NULL,
        "Status" character varying(16) NOT NULL,
        "StartedAt" timestamp with time zone,
        "EndedAt" timestamp with time zone,
        "Message" character varying(4000),
        CONSTRAINT "PK_RequestSteps" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_RequestSteps_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE TABLE "RequestTransitions" (
        "Id" bigint GENERATED BY DEFAULT AS IDENTITY,
        "RequestId" uuid NOT NULL,
        "From" character varying(32) NOT NULL,
        "To" character varying(32) NOT NULL,
        "ActorId" character varying(450) NOT NULL,
        "ActorName" character varying(256) NOT NULL,
        "At" timestamp with time zone NOT NULL,
        "Reason" character varying(4000) NOT NULL,
        CONSTRAINT "PK_RequestTransitions" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_RequestTransitions_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    INSERT INTO "AuditChainHeads" ("Id", "LastHash", "LastSequence")
    VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000', 0);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_ApplicationOwner_ApplicationId_Kind_Principal" ON "ApplicationOwner" ("ApplicationId", "Kind", "Principal");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AuditEvents_Action" ON "AuditEvents" ("Action");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AuditEvents_At" ON "AuditEvents" ("At");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_AuditEvents_RequestId" ON "AuditEvents" ("RequestId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_AuditEvents_Sequence" ON "AuditEvents" ("Sequence");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_BusinessApplications_Name" ON "BusinessApplications" ("Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_Clusters_ConnectionId_ExternalId" ON "Clusters" ("ConnectionId", "ExternalId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_Connections_Name" ON "Connections" ("Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_Datastores_ConnectionId_ExternalId" ON "Datastores" ("ConnectionId", "ExternalId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_GroupMemberships_UserId_Group" ON "GroupMemberships" ("UserId", "Group");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_Hosts_ConnectionId_ExternalId" ON "Hosts" ("ConnectionId", "ExternalId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_RequestDecisions_RequestId_ApproverId" ON "RequestDecisions" ("RequestId", "ApproverId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Requests_ApplicationId" ON "Requests" ("ApplicationId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Requests_RequesterId" ON "Requests" ("RequesterId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Requests_State" ON "Requests" ("State");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Requests_VmId" ON "Requests" ("VmId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_RequestSteps_RequestId_Name" ON "RequestSteps" ("RequestId", "Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_RequestTransitions_RequestId" ON "RequestTransitions" ("RequestId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Vms_ApplicationId" ON "Vms" ("ApplicationId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE UNIQUE INDEX "IX_Vms_ConnectionId_ExternalId" ON "Vms" ("ConnectionId", "ExternalId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Vms_HostName" ON "Vms" ("HostName");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    CREATE INDEX "IX_Vms_Name" ON "Vms" ("Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125180324_Initial') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261125180324_Initial', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Vms" ADD "Disks" character varying(4096);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Vms" ADD "Networks" character varying(2048) NOT NULL DEFAULT '';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Vms" ADD "SnapshotCount" integer NOT NULL DEFAULT 0;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Requests" ADD "DowntimeMs" bigint;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Connections" ADD "CaCertificatePem" character varying(16384);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Connections" ADD "ClientCertificatePem" character varying(16384);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    ALTER TABLE "Connections" ADD "ProtectedClientKey" text;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    CREATE TABLE "Networks" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ExternalId" character varying(512) NOT NULL,
        "Name" character varying(256) NOT NULL,
        "Hosts" text NOT NULL,
        CONSTRAINT "PK_Networks" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    CREATE UNIQUE INDEX "IX_Networks_ConnectionId_ExternalId" ON "Networks" ("ConnectionId", "ExternalId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125195058_ConnectorSupport') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261125195058_ConnectorSupport', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    ALTER TABLE "Requests" ADD "EstimateBasis" character varying(1000);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    ALTER TABLE "Requests" ADD "EstimatedBytes" bigint;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    ALTER TABLE "Requests" ADD "EstimatedSeconds" integer;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    ALTER TABLE "Requests" ADD "PlannedStart" timestamp with time zone;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    ALTER TABLE "Requests" ADD "QueueReason" character varying(1000);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    ALTER TABLE "Requests" ADD "ScheduleWindowId" uuid;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE TABLE "Blackouts" (
        "Id" uuid NOT NULL,
        "Name" character varying(200) NOT NULL,
        "Recurrence" character varying(16) NOT NULL,
        "Expression" character varying(500),
        "TimeZoneId" character varying(64) NOT NULL,
        "LocalStart" character varying(19) NOT NULL,
        "DurationMinutes" integer NOT NULL,
        "ScopeKind" character varying(16),
        "ScopeConnectionId" uuid,
        "ScopeKey" character varying(512),
        "ScopeName" character varying(256),
        "Enabled" boolean NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_Blackouts" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE TABLE "CalendarFeeds" (
        "Id" uuid NOT NULL,
        "UserId" character varying(450) NOT NULL,
        "UserName" character varying(256) NOT NULL,
        "TokenHash" character varying(64) NOT NULL,
        "Roles" character varying(1000) NOT NULL,
        "Groups" character varying(4000) NOT NULL,
        "CreatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_CalendarFeeds" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE TABLE "CapacitySlots" (
        "Resource" character varying(400) NOT NULL,
        "Unit" integer NOT NULL,
        "ResourceName" character varying(600) NOT NULL,
        "RequestId" uuid NOT NULL,
        "AcquiredAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_CapacitySlots" PRIMARY KEY ("Resource", "Unit")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE TABLE "ConcurrencyLimits" (
        "Id" integer NOT NULL,
        "VSphereMigrationsPerHost" integer NOT NULL,
        "VSphereStorageMigrationsPerHost" integer NOT NULL,
        "KvmOutgoingPerHost" integer NOT NULL,
        "KvmIncomingPerHost" integer NOT NULL,
        "DatastoreBudget" integer NOT NULL,
        "ComputeMigrationDatastoreCost" integer NOT NULL,
        "StorageMigrationDatastoreCost" integer NOT NULL,
        "PerConnection" integer NOT NULL,
        "Global" integer NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone,
        CONSTRAINT "PK_ConcurrencyLimits" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE TABLE "MaintenanceWindows" (
        "Id" uuid NOT NULL,
        "Name" character varying(200) NOT NULL,
        "Recurrence" character varying(16) NOT NULL,
        "Expression" character varying(500),
        "TimeZoneId" character varying(64) NOT NULL,
        "LocalStart" character varying(19) NOT NULL,
        "DurationMinutes" integer NOT NULL,
        "ScopeKind" character varying(16),
        "ScopeConnectionId" uuid,
        "ScopeKey" character varying(512),
        "ScopeName" character varying(256),
        "Enabled" boolean NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_MaintenanceWindows" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE UNIQUE INDEX "IX_Blackouts_Name" ON "Blackouts" ("Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE UNIQUE INDEX "IX_CalendarFeeds_TokenHash" ON "CalendarFeeds" ("TokenHash");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE UNIQUE INDEX "IX_CalendarFeeds_UserId" ON "CalendarFeeds" ("UserId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE INDEX "IX_CapacitySlots_RequestId" ON "CapacitySlots" ("RequestId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    CREATE UNIQUE INDEX "IX_MaintenanceWindows_Name" ON "MaintenanceWindows" ("Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125204653_MaintenanceWindows') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261125204653_MaintenanceWindows', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125215925_Notifications') THEN
    CREATE TABLE "DirectoryContacts" (
        "UserId" character varying(450) NOT NULL,
        "DisplayName" character varying(256) NOT NULL,
        "Email" character varying(256),
        "Roles" character varying(256) NOT NULL,
        "Groups" character varying(4000) NOT NULL,
        "SeenAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_DirectoryContacts" PRIMARY KEY ("UserId")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125215925_Notifications') THEN
    CREATE TABLE "NotificationCursors" (
        "Id" character varying(64) NOT NULL,
        "LastSequence" bigint NOT NULL,
        "LeaseOwner" character varying(64),
        "LeaseUntil" timestamp with time zone,
        CONSTRAINT "PK_NotificationCursors" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261125215925_Notifications') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261125215925_Notifications', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203095432_RunLeasesAndOneActiveRequestPerVm') THEN
    CREATE TABLE "RunLeases" (
        "RequestId" uuid NOT NULL,
        "Owner" character varying(128) NOT NULL,
        "Token" uuid NOT NULL,
        "AcquiredAt" timestamp with time zone NOT NULL,
        "HeartbeatAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_RunLeases" PRIMARY KEY ("RequestId"),
        CONSTRAINT "FK_RunLeases_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203095432_RunLeasesAndOneActiveRequestPerVm') THEN
    CREATE UNIQUE INDEX "IX_Requests_VmId_Active" ON "Requests" ("VmId") WHERE "State" IN ('Submitted', 'PendingApproval', 'Approved', 'Scheduled', 'Running', 'Verifying', 'RollingBack');
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203095432_RunLeasesAndOneActiveRequestPerVm') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203095432_RunLeasesAndOneActiveRequestPerVm', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125243_TransferIntentAndNeedsAttention') THEN
    DROP INDEX "IX_Requests_VmId_Active";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125243_TransferIntentAndNeedsAttention') THEN
    ALTER TABLE "Requests" ADD "AttentionReason" character varying(2000);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125243_TransferIntentAndNeedsAttention') THEN
    ALTER TABLE "Requests" ADD "TransferIntentAt" timestamp with time zone;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125243_TransferIntentAndNeedsAttention') THEN
    CREATE UNIQUE INDEX "IX_Requests_VmId_Active" ON "Requests" ("VmId") WHERE "State" IN ('Submitted', 'PendingApproval', 'Approved', 'Scheduled', 'Running', 'Verifying', 'RollingBack', 'NeedsAttention');
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125243_TransferIntentAndNeedsAttention') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203125243_TransferIntentAndNeedsAttention', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    CREATE TABLE "ConcurrencyLimitValues" (
        "Kind" character varying(32) NOT NULL,
        "Resource" character varying(64) NOT NULL,
        "Value" integer NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_ConcurrencyLimitValues" PRIMARY KEY ("Kind", "Resource")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'host', "VSphereMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'host-storage', "VSphereStorageMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'datastore-budget', "DatastoreBudget", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'datastore-cost-compute', "ComputeMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'vsphere', 'datastore-cost-storage', "StorageMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'host', "VSphereMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'host-storage', "VSphereStorageMigrationsPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'datastore-budget', "DatastoreBudget", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'datastore-cost-compute', "ComputeMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'demo', 'datastore-cost-storage', "StorageMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'host-out', "KvmOutgoingPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'host-in', "KvmIncomingPerHost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'datastore-budget', "DatastoreBudget", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'datastore-cost-compute', "ComputeMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'libvirt', 'datastore-cost-storage', "StorageMigrationDatastoreCost", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'portal', 'global', "Global", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "ConcurrencyLimitValues" ("Kind", "Resource", "Value", "UpdatedBy", "UpdatedAt") SELECT 'portal', 'per-connection', "PerConnection", "UpdatedBy", "UpdatedAt" FROM "ConcurrencyLimits" WHERE "UpdatedAt" IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    DROP TABLE "ConcurrencyLimits";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203125733_ConcurrencyLimitRows') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203125733_ConcurrencyLimitRows', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203133746_PowerStateEnumNames') THEN
    UPDATE "Hosts" SET "PowerState" = CASE WHEN "PowerState" = 'poweredOn' THEN 'On' WHEN "PowerState" = 'poweredOff' THEN 'Off' WHEN "PowerState" = 'suspended' THEN 'Suspended' WHEN "PowerState" IN ('On', 'Off', 'Suspended', 'Unknown') THEN "PowerState" ELSE 'Unknown' END;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203133746_PowerStateEnumNames') THEN
    UPDATE "Vms" SET "PowerState" = CASE WHEN "PowerState" = 'poweredOn' THEN 'On' WHEN "PowerState" = 'poweredOff' THEN 'Off' WHEN "PowerState" = 'suspended' THEN 'Suspended' WHEN "PowerState" IN ('On', 'Off', 'Suspended', 'Unknown') THEN "PowerState" ELSE 'Unknown' END;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203133746_PowerStateEnumNames') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203133746_PowerStateEnumNames', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203154755_ConversionSettingsAndStepData') THEN
    ALTER TABLE "RequestSteps" ADD "Data" text;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203154755_ConversionSettingsAndStepData') THEN
    ALTER TABLE "Requests" ADD "ConversionJson" text;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203154755_ConversionSettingsAndStepData') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203154755_ConversionSettingsAndStepData', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    CREATE TABLE "NetworkMaps" (
        "Id" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "SourceConnectionId" uuid NOT NULL,
        "DestinationConnectionId" uuid NOT NULL,
        "EntriesJson" text NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        "Version" integer NOT NULL,
        CONSTRAINT "PK_NetworkMaps" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_NetworkMaps_Connections_DestinationConnectionId" FOREIGN KEY ("DestinationConnectionId") REFERENCES "Connections" ("Id"),
        CONSTRAINT "FK_NetworkMaps_Connections_SourceConnectionId" FOREIGN KEY ("SourceConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    CREATE TABLE "StorageMaps" (
        "Id" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "SourceConnectionId" uuid NOT NULL,
        "DestinationConnectionId" uuid NOT NULL,
        "EntriesJson" text NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        "Version" integer NOT NULL,
        CONSTRAINT "PK_StorageMaps" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_StorageMaps_Connections_DestinationConnectionId" FOREIGN KEY ("DestinationConnectionId") REFERENCES "Connections" ("Id"),
        CONSTRAINT "FK_StorageMaps_Connections_SourceConnectionId" FOREIGN KEY ("SourceConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    CREATE INDEX "IX_NetworkMaps_DestinationConnectionId" ON "NetworkMaps" ("DestinationConnectionId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    CREATE UNIQUE INDEX "IX_NetworkMaps_SourceConnectionId_DestinationConnectionId_Name" ON "NetworkMaps" ("SourceConnectionId", "DestinationConnectionId", "Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    CREATE INDEX "IX_StorageMaps_DestinationConnectionId" ON "StorageMaps" ("DestinationConnectionId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    CREATE UNIQUE INDEX "IX_StorageMaps_SourceConnectionId_DestinationConnectionId_Name" ON "StorageMaps" ("SourceConnectionId", "DestinationConnectionId", "Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203155429_ConversionMaps') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203155429_ConversionMaps', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203235912_AccessTokens') THEN
    CREATE TABLE "AccessTokens" (
        "Id" uuid NOT NULL,
        "UserId" character varying(450) NOT NULL,
        "UserName" character varying(256) NOT NULL,
        "Name" character varying(100) NOT NULL,
        "TokenHash" character varying(64) NOT NULL,
        "DisplayPrefix" character varying(16) NOT NULL,
        "Roles" character varying(200),
        "CreatedAt" timestamp with time zone NOT NULL,
        "ExpiresAt" timestamp with time zone NOT NULL,
        "LastUsedAt" timestamp with time zone,
        "LastAuditedUseAt" timestamp with time zone,
        "RevokedAt" timestamp with time zone,
        "RevokedBy" character varying(256),
        CONSTRAINT "PK_AccessTokens" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203235912_AccessTokens') THEN
    CREATE UNIQUE INDEX "IX_AccessTokens_TokenHash" ON "AccessTokens" ("TokenHash");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203235912_AccessTokens') THEN
    CREATE INDEX "IX_AccessTokens_UserId" ON "AccessTokens" ("UserId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261203235912_AccessTokens') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261203235912_AccessTokens', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE TABLE "ClusterHeadrooms" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "ClusterName" character varying(256) NOT NULL,
        "CpuPercent" integer NOT NULL,
        "MemoryPercent" integer NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_ClusterHeadrooms" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_ClusterHeadrooms_Connections_ConnectionId" FOREIGN KEY ("ConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE TABLE "PlacementRules" (
        "Id" uuid NOT NULL,
        "ConnectionId" uuid NOT NULL,
        "Name" character varying(256) NOT NULL,
        "Kind" character varying(32) NOT NULL,
        "Enforcement" character varying(16) NOT NULL,
        "UpdatedBy" character varying(256) NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        "Version" integer NOT NULL,
        CONSTRAINT "PK_PlacementRules" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_PlacementRules_Connections_ConnectionId" FOREIGN KEY ("ConnectionId") REFERENCES "Connections" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE TABLE "PlacementRuleHosts" (
        "RuleId" uuid NOT NULL,
        "HostId" uuid NOT NULL,
        CONSTRAINT "PK_PlacementRuleHosts" PRIMARY KEY ("RuleId", "HostId"),
        CONSTRAINT "FK_PlacementRuleHosts_Hosts_HostId" FOREIGN KEY ("HostId") REFERENCES "Hosts" ("Id") ON DELETE CASCADE,
        CONSTRAINT "FK_PlacementRuleHosts_PlacementRules_RuleId" FOREIGN KEY ("RuleId") REFERENCES "PlacementRules" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE TABLE "PlacementRuleVms" (
        "RuleId" uuid NOT NULL,
        "VmId" uuid NOT NULL,
        CONSTRAINT "PK_PlacementRuleVms" PRIMARY KEY ("RuleId", "VmId"),
        CONSTRAINT "FK_PlacementRuleVms_PlacementRules_RuleId" FOREIGN KEY ("RuleId") REFERENCES "PlacementRules" ("Id") ON DELETE CASCADE,
        CONSTRAINT "FK_PlacementRuleVms_Vms_VmId" FOREIGN KEY ("VmId") REFERENCES "Vms" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE UNIQUE INDEX "IX_ClusterHeadrooms_ConnectionId_ClusterName" ON "ClusterHeadrooms" ("ConnectionId", "ClusterName");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE INDEX "IX_PlacementRuleHosts_HostId" ON "PlacementRuleHosts" ("HostId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE UNIQUE INDEX "IX_PlacementRules_ConnectionId_Name" ON "PlacementRules" ("ConnectionId", "Name");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    CREATE INDEX "IX_PlacementRuleVms_VmId" ON "PlacementRuleVms" ("VmId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204033615_PlacementRules') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261204033615_PlacementRules', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204035118_Utilisation') THEN
    ALTER TABLE "Connections" ADD "LastUtilisationAt" timestamp with time zone;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204035118_Utilisation') THEN
    ALTER TABLE "Connections" ADD "LastUtilisationError" character varying(1024);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204035118_Utilisation') THEN
    CREATE TABLE "UtilisationSamples" (
        "SubjectId" uuid NOT NULL,
        "ResolutionSeconds" integer NOT NULL,
        "SlotStart" bigint NOT NULL,
        "CpuUsedMhz" real NOT NULL,
        "CpuCapacityMhz" real,
        "MemoryUsedMb" integer NOT NULL,
        "MemoryCapacityMb" integer,
        "CpuReadyPercent" real,
        "DiskReadBytesPerSecond" real,
        "DiskWriteBytesPerSecond" real,
        "NetworkReceiveBytesPerSecond" real,
        "NetworkTransmitBytesPerSecond" real,
        "SampleCount" smallint NOT NULL,
        CONSTRAINT "PK_UtilisationSamples" PRIMARY KEY ("SubjectId", "ResolutionSeconds", "SlotStart")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204035118_Utilisation') THEN
    CREATE INDEX "IX_UtilisationSamples_ResolutionSeconds_SlotStart" ON "UtilisationSamples" ("ResolutionSeconds", "SlotStart");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204035118_Utilisation') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261204035118_Utilisation', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204170826_PostMoveWatch') THEN
    CREATE TABLE "PostMoveWatches" (
        "RequestId" uuid NOT NULL,
        "VmId" uuid NOT NULL,
        "MoveStartedAt" timestamp with time zone NOT NULL,
        "StartedAt" timestamp with time zone NOT NULL,
        "EndsAt" timestamp with time zone NOT NULL,
        "State" character varying(32) NOT NULL,
        "EvaluatedAt" timestamp with time zone,
        "Summary" character varying(2000),
        "Figures" character varying(8000) NOT NULL,
        "RollbackRequestId" uuid,
        CONSTRAINT "PK_PostMoveWatches" PRIMARY KEY ("RequestId"),
        CONSTRAINT "FK_PostMoveWatches_Requests_RequestId" FOREIGN KEY ("RequestId") REFERENCES "Requests" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204170826_PostMoveWatch') THEN
    CREATE INDEX "IX_PostMoveWatches_State_EndsAt" ON "PostMoveWatches" ("State", "EndsAt");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261204170826_PostMoveWatch') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261204170826_PostMoveWatch', '10.0.15');
    END IF;
END $EF$;
COMMIT;

